/**
 * The web app as browsers get it: index.html and styles.css as they are, and app.js bundled with
 * the typed client it imports. Into dist/web/, which `npm start` serves and the stack deploys.
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export async function buildWeb(): Promise<string> {
  const out = join(ROOT, 'dist', 'web');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const file of ['index.html', 'styles.css']) copyFileSync(join(ROOT, 'web', file), join(out, file));
  await build({
    entryPoints: [join(ROOT, 'web', 'app.js')],
    outfile: join(out, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'warning',
  });
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWeb();
}
