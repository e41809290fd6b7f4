#!/usr/bin/env node
import { createLogger } from '@gw/express-middleware';
import { ConfigError, loadConfig } from './config.js';
import { startServer } from './start-server.js';
import { version } from './version.js';

try {
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  const running = await startServer({ config, logger });
  logger.info(`DashScope to OpenAI API Gateway ${version} listening on ${running.url}`, { upstream: config.dashscopeBaseUrl });
  const shutdown = (signal: string) => {
    logger.info(`Received ${signal}, shutting down`);
    void running.close().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`Failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
