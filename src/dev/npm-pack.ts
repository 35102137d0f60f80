import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}\n${stderr.trim()}`))));
  });
}

/**
 * Fetches one npm package's tarball (without installing it or its dependencies) and unpacks the
 * folder `inner` of it to `destination`, unless `marker` (a file inside it) is already there.
 * Unpacks into a private temp dir and renames into place, so concurrent callers either win or
 * find a complete folder.
 */
export async function unpackFromNpm(spec: string, inner: string, destination: string, marker: string): Promise<string> {
  if (existsSync(join(destination, marker))) return destination;
  const parent = join(destination, '..');
  mkdirSync(parent, { recursive: true });
  const tmp = mkdtempSync(join(parent, '.install-'));
  try {
    await run('npm', ['pack', spec, '--pack-destination', tmp, '--silent'], tmp);
    const tarball = readdirSync(tmp).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${spec} produced no tarball`);
    await run('tar', ['-xzf', tarball, '-C', tmp, inner], tmp);
    const unpacked = join(tmp, inner);
    if (!existsSync(join(unpacked, marker))) throw new Error(`${spec} has no ${inner}/${marker}`);
    try {
      renameSync(unpacked, destination);
    } catch (error) {
      if (!existsSync(join(destination, marker))) throw error;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return destination;
}
