# A first version; the deployment issue completes it (healthcheck, image size, hardening).
FROM node:22-bookworm-slim AS build
RUN npm install --global pnpm@12.4.2
WORKDIR /app
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json tsconfig.json ./
COPY packages ./packages
COPY apps ./apps
# `pnpm deploy` copies the server with its production dependencies, the workspace packages included
# (pruning the workspace instead would drop express, a peer of @gw/express-middleware).
RUN pnpm install --frozen-lockfile && pnpm run build && pnpm --filter @gw/server deploy --prod /out

FROM node:22-bookworm-slim
ENV NODE_ENV=production PORT=8000 HOST=0.0.0.0
WORKDIR /app
COPY --from=build /out /app
USER node
EXPOSE 8000
CMD ["node", "dist/main.js"]
