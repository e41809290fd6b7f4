// @ts-check
// The floor the gateway is measured against, run as its own process by bench/main.ts: the stack the
// gateway is built on (Express 5 + http-proxy-middleware 4) forwarding /v1/chat/completions to the
// fake's OpenAI-shaped endpoint through a keep-alive agent, without parsing, translating or logging.
// Plain JavaScript (type-checked through JSDoc) because Node's TypeScript stripping keeps about 15 MB
// in the process, which would count against the passthrough in the RSS ratios.
//
// argv[2]: { upstream: string } as JSON (http:// or https://; an https upstream's CA comes from
// NODE_EXTRA_CA_CERTS). IPC: sends { type: 'ready', port } once listening.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import express from 'express';

// The root workspace does not depend on http-proxy-middleware: this is the copy the gateway runs on
// (bench/tsconfig.json maps its types, as tsconfig.test.json does for the examples).
/** @type {typeof import('http-proxy-middleware')} */
const { createProxyMiddleware } = await import(
  new URL('../packages/express-middleware/node_modules/http-proxy-middleware/dist/index.js', import.meta.url).href
);

/** @type {{ upstream: string }} */
const { upstream } = JSON.parse(process.argv[2] ?? '{}');
const agentOptions = { keepAlive: true, maxSockets: Infinity };
const agent = new URL(upstream).protocol === 'https:' ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);

const app = express();
app.disable('x-powered-by');
app.use(createProxyMiddleware({ target: upstream, pathFilter: '/v1/chat/completions', changeOrigin: true, agent }));

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ type: 'ready', port: typeof address === 'object' && address !== null ? address.port : undefined });
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
