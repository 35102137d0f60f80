// @ts-check
/**
 * What `npm start` and the command line run, as plain JavaScript: dist/node/server.mjs,
 * dist/node/start-dynamodb.mjs and dist/node/gatehouse.mjs (dependencies stay in node_modules),
 * and the web app in dist/web/. Runs on `npm ci` (prepare), so a production install
 * (`npm ci --omit=dev`) has a working `npx gatehouse`; needs only esbuild, a dependency.
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const NODE_ENTRIES = {
  server: 'src/entry/server.ts',
  'start-dynamodb': 'src/dev/start-dynamodb.ts',
  gatehouse: 'src/entry/cli/bin.ts',
};

export async function buildNode() {
  const out = join(ROOT, 'dist', 'node');
  await build({
    entryPoints: Object.fromEntries(Object.entries(NODE_ENTRIES).map(([name, entry]) => [name, join(ROOT, entry)])),
    outdir: out,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  return out;
}

/** index.html, styles.css and the icon as they are; app.js bundled with its modules and the typed client. */
export async function buildWeb() {
  const out = join(ROOT, 'dist', 'web');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const file of ['index.html', 'styles.css', 'favicon.svg']) copyFileSync(join(ROOT, 'web', file), join(out, file));
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
  await Promise.all([buildNode(), buildWeb()]);
}
