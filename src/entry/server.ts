import { serve } from '@hono/node-server';
import { ConfigError, loadConfig } from './config';
import { jsonLogger, type LogLevel } from './json-logger';
import { createServices } from './services';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const level = (process.env.LOG_LEVEL?.trim() || 'info') as LogLevel;
  const logger = jsonLogger(['debug', 'info', 'warn', 'error', 'silent'].includes(level) ? level : 'info');
  const services = await createServices(config, logger);

  const server = serve({ fetch: services.app.fetch, port: config.port, hostname: config.host }, (info) => {
    const shown = config.host === '127.0.0.1' || config.host === '0.0.0.0' ? 'localhost' : config.host;
    process.stdout.write(`Gatehouse listening on http://${shown}:${info.port} (store: ${services.storeLabel})\n`);
  });

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    process.stdout.write(`Gatehouse stopping (${signal})\n`);
    server.close(async () => {
      await services.close();
      process.exit(0);
    });
    // Keep-alive connections must not hold the process open.
    (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
    setTimeout(() => process.exit(0), 5_000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`Gatehouse failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
