/**
 * Launcher for DynamoDB Local (AWS's Java emulator).
 *
 * The emulator ships inside the npm package `amplify-dynamodb-simulator` as `emulator/`.
 * Only that folder is fetched (`npm pack` + `tar`), once, into `<project>/.data/dynamodb-local/emulator`.
 * The package itself is never installed, so none of its dependencies are pulled in.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nearestPackageRoot } from '../entry/project-root';
import { unpackFromNpm } from './npm-pack';

const PACKAGE_SPEC = 'amplify-dynamodb-simulator@2.9.30';
const JAR = 'DynamoDBLocal.jar';
const START_TIMEOUT_MS = 30_000;
const KILL_GRACE_MS = 3_000;
const JAVA_MESSAGE = 'DynamoDB Local needs Java 17 or newer: install it (e.g. apt-get install -y openjdk-17-jre-headless) and try again';

export interface DynamoDbLocalOptions {
  /** Port to listen on; a free one is picked when omitted. */
  port?: number;
  /** Keep all data in memory (the default when no dbPath is given). */
  inMemory?: boolean;
  /** Directory for the database file (`shared-local-instance.db`); created if missing. */
  dbPath?: string;
  projectRoot?: string;
}

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** Milliseconds from spawning java to the first HTTP answer. */
  startupMs: number;
  /** SIGTERM, then SIGKILL after 3 s; resolves once the process has exited. */
  stop(): Promise<void>;
  process: ChildProcess;
}

/** Nearest ancestor of this file that contains package.json. */
function findProjectRoot(): string {
  const root = nearestPackageRoot(fileURLToPath(import.meta.url));
  if (!root) throw new Error('No package.json found above ' + fileURLToPath(import.meta.url));
  return root;
}

/** Returns the emulator directory, downloading and unpacking it first if it is missing. */
export async function ensureDynamoDbLocal(projectRoot?: string): Promise<string> {
  const emulatorDir = join(projectRoot ?? findProjectRoot(), '.data', 'dynamodb-local', 'emulator');
  return unpackFromNpm(PACKAGE_SPEC, 'package/emulator', emulatorDir, JAR);
}

/** Major Java version from `java -version` (e.g. 17, or 8 for "1.8.0"), or null if java does not run. */
export function javaMajorVersion(): number | null {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return null;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  if (!match) return null;
  const major = Number(match[1]);
  return major === 1 ? Number(match[2] ?? 0) : major;
}

/** True when a Java runtime able to run DynamoDB Local (17 or newer) is on the PATH. */
export function javaAvailable(): boolean {
  return (javaMajorVersion() ?? 0) >= 17;
}

/** Throws a one-line error when Java is missing or older than 17. */
export function assertJavaForDynamoDbLocal(): void {
  if (!javaAvailable()) throw new Error(JAVA_MESSAGE);
}

/** Resolves with the port once `listen` succeeds on it (0 = any free port), then releases it. */
function probeListen(port: number, host: string | undefined): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port, host }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolvePromise(bound));
    });
  });
}

/** Resolves true if anything answers an HTTP POST on the port. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        agent: false,
        timeout: 1_000,
        headers: {
          'X-Amz-Target': 'DynamoDB_20120810.ListTables',
          'Content-Type': 'application/x-amz-json-1.0',
          Authorization: 'AWS4-HMAC-SHA256 Credential=x/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x',
        },
      },
      (res) => {
        res.resume();
        resolvePromise(true);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolvePromise(false));
    req.end('{}');
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  if (options.inMemory && options.dbPath) throw new Error('DynamoDB Local: inMemory and dbPath cannot both be set');
  assertJavaForDynamoDbLocal();
  const emulatorDir = await ensureDynamoDbLocal(options.projectRoot);

  let port = options.port;
  if (port === undefined) {
    port = await probeListen(0, '127.0.0.1');
  } else {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`DynamoDB Local: invalid port ${port}`);
    // DynamoDB Local listens on all interfaces, so check the same way it will bind.
    await probeListen(port, undefined).catch((error: unknown) => {
      throw new Error(`DynamoDB Local: port ${port} is not free (${(error as Error).message})`);
    });
  }

  const storage = ['-inMemory'];
  if (options.dbPath) {
    const dbPath = resolve(options.dbPath);
    mkdirSync(dbPath, { recursive: true });
    storage.splice(0, 1, '-dbPath', dbPath);
  }
  const args = [
    // Jetty then logs "Started ServerConnector" to stderr once this JVM holds the port.
    '-Dorg.eclipse.jetty.util.log.class=org.eclipse.jetty.util.log.StdErrLog',
    '-Dorg.eclipse.jetty.server.AbstractConnector.LEVEL=INFO',
    `-Djava.library.path=${join(emulatorDir, 'DynamoDBLocal_lib')}`,
    '-jar',
    JAR,
    '-port',
    String(port),
    ...storage,
    '-sharedDb',
    '-disableTelemetry',
  ];

  const spawnedAt = performance.now();
  const child = spawn('java', args, { cwd: emulatorDir, stdio: ['ignore', 'pipe', 'pipe'] });
  // Whether this JVM bound the port is read from stderr: an answer alone could come from
  // another server, and a failed bind is logged without ending the JVM.
  let stderrTail = '';
  let bound = false;
  let bindFailed = false;
  child.stdout.resume();
  child.stderr.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-8_000);
    bound ||= stderrTail.includes('Started ServerConnector');
    bindFailed ||= stderrTail.includes('Failed to bind');
  });
  let spawnError: Error | undefined;
  child.on('error', (error) => (spawnError = error));
  // 'close' comes after the process has exited and its output has been read.
  const closed = new Promise<void>((r) => child.once('close', () => r()));
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  // Do not leave the emulator running when this Node process exits.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void closed.then(() => process.off('exit', killOnExit));

  const stop = async (): Promise<void> => {
    if (spawnError) return;
    const timer = hasExited() ? undefined : setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    if (timer) child.kill('SIGTERM');
    await closed;
    clearTimeout(timer);
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    let failure: string | undefined;
    if (spawnError) failure = `could not run java (${spawnError.message})`;
    else if (hasExited()) failure = `java exited early (code ${child.exitCode}, signal ${child.signalCode})`;
    else if (bindFailed) failure = `port ${port} is already in use`;
    else if (bound && (await answers(port))) break;
    else if (Date.now() > deadline) failure = `no answer on port ${port} within ${START_TIMEOUT_MS / 1000} s`;
    if (failure) {
      await stop();
      const lines = stderrTail.trim().split('\n').slice(-20).join('\n');
      const tail = lines ? `\nLast stderr lines:\n${lines}` : '';
      throw new Error(`DynamoDB Local did not start: ${failure}${tail}`);
    }
    await sleep(100);
  }

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    startupMs: Math.round(performance.now() - spawnedAt),
    stop,
    process: child,
  };
}
