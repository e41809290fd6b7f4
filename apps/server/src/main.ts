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
  let stopping = false;
  const shutdown = (signal: string) => {
    // A second signal (an impatient operator, a supervisor's escalation) cuts everything at once.
    if (stopping) {
      const cut = running.cutNow();
      logger.warn(`Received ${signal} again: forced shutdown`, { cut });
      setTimeout(() => process.exit(1), 600).unref();
      return;
    }
    stopping = true;
    logger.info(`Received ${signal}, shutting down`, { drain_ms: config.shutdownDrainMs });
    void running.shutdown().then(() => process.exit(0));
    // Should the drain itself hang (it cannot, short of a bug), the process still goes.
    setTimeout(() => {
      logger.error('Shutdown did not finish after the drain deadline: forced exit');
      process.exit(1);
    }, config.shutdownDrainMs + 5_000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`Failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
