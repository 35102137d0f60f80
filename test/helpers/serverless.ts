import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SERVERLESS_BIN, SERVERLESS_DIR } from '../../scripts/serverless-install';
import { ROOT } from './server';

/** No calls home from a test run. */
const QUIET = { SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' };

/** `serverless <args>` in serverless/; resolves with its output, rejects with it on a non-zero exit. */
export function serverlessCli(args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVERLESS_BIN, ...args], { cwd: SERVERLESS_DIR, env: { ...process.env, ...QUIET, ...env } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`serverless ${args.join(' ')} exited with ${code}:\n${output}`))));
  });
}

/** The names inside a zip, read with the jszip that serverless-offline itself unpacks artifacts with. */
export async function zipEntries(file: string): Promise<string[]> {
  const JSZip = createRequire(join(SERVERLESS_DIR, 'package.json'))('jszip') as {
    loadAsync(data: Buffer): Promise<{ files: Record<string, { dir: boolean }> }>;
  };
  const zip = await JSZip.loadAsync(readFileSync(file));
  return Object.entries(zip.files)
    .filter(([, entry]) => !entry.dir)
    .map(([name]) => name);
}

export interface Offline {
  readonly url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * `npm run start:serverless` with these arguments, against the given DynamoDB endpoint; resolves
 * once serverless-offline says it is ready, rejects with everything printed if it exits first or
 * is not ready within the time.
 */
export async function startOffline(args: string[], env: Record<string, string>, port: number, timeoutMs = 120_000): Promise<Offline> {
  const tsx = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  // Its own process group, so stopping it stops serverless and its worker threads too.
  const child = spawn(process.execPath, ['--import', tsx, join(ROOT, 'scripts', 'serverless-offline.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...QUIET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    signalGroup('SIGINT');
    const timer = setTimeout(() => signalGroup('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  const ready = `Server ready: http://127.0.0.1:${port}`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop().then(() => reject(new Error(`serverless offline was not ready within ${timeoutMs / 1000} s:\n${output}`)));
    }, timeoutMs);
    const check = () => {
      if (output.includes(ready)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`serverless offline exited before it was ready (code ${child.exitCode}):\n${output}`));
    });
  });
  return { url: `http://127.0.0.1:${port}`, output: () => output, stop };
}
