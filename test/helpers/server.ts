import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Where servers started by a test write their mail unless the test sets AUTH_MAIL: never the project's own .data/outbox. */
const OUTBOX = join(tmpdir(), `gatehouse-server-mail-${process.pid}`);
process.once('exit', () => rmSync(OUTBOX, { recursive: true, force: true }));

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

/** Ports free a moment ago, all different: each is held until every one is known. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.unref();
          server.on('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

export interface RunningServer {
  readonly url: string;
  readonly process: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** Sends the signal (SIGTERM by default); resolves with the exit code once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** SIGKILL: no chance to flush or close anything. */
  kill(): Promise<void>;
}

export interface StartOptions {
  /** The entry under src/entry/ to run; `npm start`'s server.ts by default. */
  readonly entry?: string;
  /** Or any other script, by absolute path. */
  readonly script?: string;
  /** Extra flags for node, such as --cpu-prof. */
  readonly nodeArgs?: readonly string[];
  /** Working directory (where `.data/` goes); the project root by default. */
  readonly cwd?: string;
  /** A port chosen beforehand; a free one otherwise. */
  readonly port?: number;
}

const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/**
 * Starts a real server entry (by default `npm start`'s) on a free port and waits for its URL. A
 * port it chose itself that something else took before the server bound it is chosen again.
 */
export async function startServer(env: Record<string, string>, options: StartOptions = {}): Promise<RunningServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(options.port ?? (await freePort()), env, options);
    } catch (error) {
      if (options.port !== undefined || attempt === 3 || !/the port is in use/.test(String(error))) throw error;
    }
  }
}

async function startOn(chosen: number, env: Record<string, string>, options: StartOptions): Promise<RunningServer> {
  const script = options.script ?? join(ROOT, 'src', 'entry', options.entry ?? 'server.ts');
  // Built JavaScript (what npm start runs) needs no TypeScript loader.
  const loader = script.endsWith('.mjs') ? [] : ['--import', TSX];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...loader, script], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', AUTH_MAIL: `file:${OUTBOX}`, ...env, PORT: String(chosen), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    const check = () => {
      if (/listening on http/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });

  return {
    url: `http://127.0.0.1:${chosen}`,
    process: child,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
    kill: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json(), headers: res.headers };
}
