import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The folder of the nearest package.json at or above `from` (a file or a folder); undefined when there is none. */
export function nearestPackageRoot(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
