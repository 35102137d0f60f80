import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../core/clock';
import { KeyRefusedError } from '../core/key-vault';
import { signingKeys } from '../core/signing-keys';
import { describeMail, loadMailConfig, type MailConfig } from '../mail/mail-config';
import { createMailSender } from '../mail/mail-sender';
import { StoreMisconfiguredError } from '../store/store';
import { afterNodeResponse } from './after-response';
import { createHttpApp } from './build-app';
import { nodeClientAddress, nodeRequestAddress } from './client-address';
import { type Config, ConfigError, loadConfig } from './config';
import { jsonLogger } from './json-logger';
import { type KeyVaultSetup, keyVaultFromEnv } from './key-vault-setup';
import { nodeBodyReader } from './node-body';
import { nodeListener } from './node-listener';
import { openStore } from './open-store';
import type { ProcessEnv } from './process-env';
import { nearestPackageRoot } from './project-root';
import { webAppRoutes } from './web-site';

/** The built web app (`npm start` builds it first; `npm run build` too), wherever this file runs from. */
const HERE = fileURLToPath(import.meta.url);
const WEB_DIR = join(nearestPackageRoot(HERE) ?? parse(HERE).root, 'dist', 'web');

/**
 * Starts the HTTP server from the environment and stops it cleanly on SIGINT/SIGTERM: the server
 * stops accepting, open requests finish, the store closes, then `onStopped` runs and the process
 * exits 0. Bad configuration prints one line naming the variable and exits 1.
 */
export async function runServer(env: ProcessEnv, onStopped: () => Promise<void> = async () => {}): Promise<void> {
  let config: Config;
  let keys: KeyVaultSetup;
  let mail: MailConfig;
  try {
    config = loadConfig(env);
    mail = loadMailConfig(env);
    keys = keyVaultFromEnv(env, systemClock);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      await onStopped();
      process.exit(1);
    }
    throw error;
  }
  const logger = jsonLogger(config.logLevel);
  const { store, label } = await openStore(config, env, systemClock);
  try {
    await store.ping();
  } catch (error) {
    // A store that cannot work as configured stops start-up; one that is down may come back.
    if (error instanceof StoreMisconfiguredError) {
      process.stderr.write(`Gatehouse cannot use its store (${label}): ${error.message.replace(/^dynamodb: /, '')}\n`);
      await store.close();
      await onStopped();
      process.exit(1);
    }
    process.stderr.write(`Gatehouse: the store (${label}) does not answer yet; /health answers 503 until it does\n`);
  }
  if (keys.createdFile) {
    process.stdout.write(
      `Gatehouse made a new key-encryption key in ${keys.createdFile}: back it up with the store; without it the stored keys cannot be opened\n`,
    );
  }
  const signing = signingKeys({ store, clock: systemClock, vault: keys.vault });
  try {
    // Loaded here, so the first login signs at once.
    await signing.check();
  } catch (error) {
    // Secrets sealed under another key-encryption key: nothing could sign, so nothing starts.
    if (error instanceof KeyRefusedError) {
      process.stderr.write(`Gatehouse cannot open the stored keys with ${keys.label}: it is not the key they were sealed with\n`);
      await store.close();
      await onStopped();
      process.exit(1);
    }
    // Unavailable store or key service: requests answer 503 until they are back.
  }
  const app = createHttpApp(
    config,
    store,
    logger,
    systemClock,
    { vault: keys.vault, keys: signing },
    {
      clientAddress: nodeClientAddress(config.trustProxy),
      readBody: nodeBodyReader,
      site: webAppRoutes(WEB_DIR),
      mailer: createMailSender(mail, { clock: systemClock }),
      afterResponse: afterNodeResponse,
    },
  );

  const server = createServer(nodeListener(app, nodeRequestAddress(config.trustProxy)));
  server.listen(config.port, config.host, () => {
    const shown = config.host === '127.0.0.1' || config.host === '0.0.0.0' ? 'localhost' : config.host;
    const { port } = server.address() as AddressInfo;
    process.stdout.write(`Gatehouse listening on http://${shown}:${port} (store: ${label}; mail: ${describeMail(mail)}; secrets sealed with ${keys.label})\n`);
  });
  // A port that cannot be had is one line, not a stack trace; whatever was started stops with it.
  server.on('error', (error: NodeJS.ErrnoException) => {
    const why = error.code === 'EADDRINUSE' ? 'the port is in use' : error.code === 'EACCES' ? 'permission denied' : error.message;
    process.stderr.write(`Gatehouse cannot listen on ${config.host}:${config.port}: ${why} (set PORT to a free port)\n`);
    void store
      .close()
      .then(onStopped)
      .finally(() => process.exit(1));
  });

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    process.stdout.write(`Gatehouse stopping (${signal})\n`);
    const finish = async () => {
      await store.close();
      await onStopped();
      process.exit(0);
    };
    server.close(() => void finish());
    // Idle keep-alive connections must not hold the process open.
    (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
    setTimeout(() => void finish(), 5_000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

export function failed(error: unknown): never {
  process.stderr.write(`Gatehouse failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
