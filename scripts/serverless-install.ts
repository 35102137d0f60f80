/**
 * The Serverless Framework and serverless-offline live in serverless/ with a lock file of their
 * own, so the project's own install stays lean. This installs them there (`npm ci`) when what is
 * installed is not what the lock file pins.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../src/dev/npm-pack';

export const SERVERLESS_DIR = fileURLToPath(new URL('../serverless', import.meta.url));
export const SERVERLESS_BIN = join(SERVERLESS_DIR, 'node_modules', 'serverless', 'bin', 'serverless.js');

/** The packages whose exact versions the Serverless path depends on (see serverless/README.md). */
const PINNED = ['serverless', 'serverless-offline', '@hapi/statehood'];

function installedVersion(name: string): string | undefined {
  const file = join(SERVERLESS_DIR, 'node_modules', name, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : undefined;
}

/** The pinned packages whose installed version differs from the lock file's (or that are missing). */
export function staleServerlessPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(SERVERLESS_DIR, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  return PINNED.filter((name) => installedVersion(name) !== lock.packages[`node_modules/${name}`]?.version);
}

/** `npm ci` in serverless/ unless every pinned package is already there at its locked version. */
export async function ensureServerlessInstalled(log: (line: string) => void = () => {}): Promise<void> {
  const stale = staleServerlessPackages();
  if (!stale.length) return;
  log(`Installing serverless/ (npm ci; missing or not as locked: ${stale.join(', ')})`);
  await run('npm', ['ci', '--no-audit', '--no-fund'], SERVERLESS_DIR);
  const still = staleServerlessPackages();
  if (still.length) throw new Error(`npm ci in serverless/ did not install the locked ${still.join(', ')}`);
}
