#!/usr/bin/env node
/**
 * `pnpm demo`: the gateway in front of the bundled fake DashScope, so the gateway can be tried with curl
 * or the openai SDK with no key and no network. The fake accepts any key starting with "sk-".
 * It runs in the repository only: @gw/fake-dashscope is a development dependency of the server, so the
 * production bundle (`pnpm deploy --prod`, the Docker image) leaves it out.
 */
import { startFakeDashScope } from '@gw/fake-dashscope';
import { createLogger } from '@gw/express-middleware';
import { ConfigError, loadConfig } from './config.js';
import { startServer } from './start-server.js';

try {
  const fake = await startFakeDashScope({ eventDelayMs: Number(process.env.FAKE_DASHSCOPE_EVENT_DELAY_MS ?? 60) });
  const config = loadConfig({ ...process.env, DASHSCOPE_BASE_URL: fake.url });
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  const running = await startServer({ config, logger });
  process.stdout.write(
    [
      '',
      `Demo: gateway on ${running.url}, in front of a fake DashScope on ${fake.url} (no network, no real key).`,
      'Try:',
      `  curl ${running.url}/v1/chat/completions -H "Authorization: Bearer sk-demo" -H "Content-Type: application/json" \\`,
      `    -d '{"model":"farui-plus","messages":[{"role":"user","content":"你好"}],"stream":true}'`,
      '',
    ].join('\n'),
  );
  const shutdown = () => {
    void Promise.all([running.close(), fake.close()]).then(() => process.exit(0));
    setTimeout(() => process.exit(0), 5_000).unref();
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : `Failed to start the demo: ${String(error)}`}\n`);
  process.exit(1);
}
