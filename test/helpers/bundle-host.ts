import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { lambdaContext } from './aws-events';
import { ROOT } from './server';

export interface Invocation {
  readonly result?: any;
  readonly error?: string;
  /** Milliseconds the invocation took (for the first one: import + init + handling). */
  readonly ms: number;
  /** Milliseconds from the process's start of work to this answer. */
  readonly sinceStart?: number;
}

export interface BundleHost {
  /** The environment it was started with (to start another like it). */
  readonly env: Record<string, string>;
  /** Invokes the handler of `<fn>.mjs` in the folder. */
  invoke(fn: string, event: unknown): Promise<Invocation>;
  /** Everything the functions logged. */
  output(): string;
  stop(): Promise<void>;
}

/** A fresh Node process running lambda-runner.mjs over the bundles in `dir`, with a Lambda-like environment. */
export function spawnLambdaRunner(dir: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [join(ROOT, 'test', 'helpers', 'lambda-runner.mjs'), dir], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      AWS_LAMBDA_FUNCTION_NAME: 'gatehouse-api',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** A fresh Node process that imports the bundles in `dir` (dist/lambda/*.mjs by default) and invokes their handlers. */
export function startBundleHost(env: Record<string, string>, dir = join(ROOT, 'dist', 'lambda')): BundleHost {
  const child = spawnLambdaRunner(dir, env);
  let logs = '';
  child.stderr!.on('data', (chunk) => (logs += chunk));
  const pending = new Map<number, (invocation: Invocation) => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (!line.startsWith('{"id"')) {
      logs += line + '\n';
      return;
    }
    const { id, ...invocation } = JSON.parse(line) as Invocation & { id: number };
    pending.get(id)?.(invocation);
    pending.delete(id);
  });
  let next = 0;
  return {
    env,
    invoke(fn, event) {
      const id = next++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        child.stdin!.write(JSON.stringify({ id, fn, event, context: lambdaContext(`request-${id}`) }) + '\n');
      });
    },
    output: () => logs,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin!.end();
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      }),
  };
}
