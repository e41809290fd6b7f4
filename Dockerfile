# A first version; the deployment issue completes it (image size, healthcheck, non-root tuning).
FROM node:22-bookworm-slim AS build
RUN npm install --global pnpm@12.4.2
WORKDIR /app
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json tsconfig.json ./
COPY packages ./packages
COPY apps ./apps
RUN pnpm install --frozen-lockfile && pnpm run build && pnpm prune --prod

FROM node:22-bookworm-slim
ENV NODE_ENV=production PORT=8000 HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app /app
USER node
EXPOSE 8000
CMD ["node", "apps/server/dist/main.js"]
