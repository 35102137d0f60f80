/**
 * `npm run build` (after the type-check): one ESM bundle per Lambda function in dist/lambda/, for
 * each a deployable folder in dist/lambda-asset/ (the API's with the Argon2 native binary for
 * linux-arm64, whatever machine builds it), the route table as JSON for deploy tools that do not
 * read TypeScript (dist/lambda-asset/routes.json), and the web app in dist/web/.
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { unpackFromNpm } from '../src/dev/npm-pack';
import { gatewayPath, ROUTES } from '../src/http/routes';
import { buildNode, buildWeb } from './build-node.mjs';
import { LAMBDA_BUNDLE_OPTIONS } from './lambda-bundle-options';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');

/** Lambda's architecture and libc; the native Argon2 package that matches them. */
const LAMBDA_PLATFORM = 'linux-arm64-gnu';

const FUNCTIONS = [
  // The common-password list (370 KiB) stays out of the bundle, so a cold start does not parse
  // it; it is shipped beside it and read at the first registration or password change.
  { name: 'api', entry: 'src/entry/lambda-api.ts', native: ['@node-rs/argon2'], beside: ['@zxcvbn-ts/language-common'] },
  { name: 'authorizer', entry: 'src/entry/lambda-authorizer.ts', native: [] as string[], beside: [] as string[] },
];

/**
 * The function's entry file, and beside it (`<name>-chunks/`) what it imports only when first
 * needed — the WebAuthn library, the SES and KMS clients, the API description and the docs page —
 * so a cold start parses only what a first `/verify` runs.
 */
async function bundle(fn: (typeof FUNCTIONS)[number]): Promise<{ path: string; atStart: number; total: number; files: string[] }> {
  const outdir = join(DIST, 'lambda');
  const { metafile } = await build({
    metafile: true,
    entryPoints: { [fn.name]: join(ROOT, fn.entry) },
    outdir,
    splitting: true,
    chunkNames: `${fn.name}-chunks/[name]-[hash]`,
    outExtension: { '.js': '.mjs' },
    ...LAMBDA_BUNDLE_OPTIONS,
    external: [...fn.native, ...fn.beside.map((pkg) => `${pkg}/*`)],
  });
  // What a cold start parses: the entry file and every chunk it imports statically, transitively.
  const outputs = metafile.outputs;
  const loaded = new Set<string>();
  const visit = (file: string) => {
    if (loaded.has(file)) return;
    loaded.add(file);
    for (const imported of outputs[file]?.imports ?? []) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(Object.keys(outputs).find((file) => file.endsWith(`/${fn.name}.mjs`))!);
  const atStart = [...loaded].reduce((sum, file) => sum + outputs[file]!.bytes, 0);
  const total = Object.values(outputs).reduce((sum, output) => sum + output.bytes, 0);
  return { path: join(outdir, `${fn.name}.mjs`), atStart, total, files: [...loaded].map((file) => relative(outdir, join(ROOT, file))) };
}

/** The folder CDK deploys: the bundle, plus the native packages it loads at run time, for Lambda's platform. */
async function asset(fn: (typeof FUNCTIONS)[number], bundlePath: string): Promise<void> {
  const dir = join(DIST, 'lambda-asset', fn.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync(bundlePath, join(dir, `${fn.name}.mjs`));
  const chunks = join(DIST, 'lambda', `${fn.name}-chunks`);
  if (existsSync(chunks)) cpSync(chunks, join(dir, `${fn.name}-chunks`), { recursive: true });
  for (const pkg of fn.beside)
    cpSync(join(ROOT, 'node_modules', pkg), join(dir, 'node_modules', pkg), { recursive: true, filter: (src) => !src.endsWith('.map') });
  for (const pkg of fn.native) {
    const installed = join(ROOT, 'node_modules', pkg);
    const { version } = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { version: string };
    cpSync(installed, join(dir, 'node_modules', pkg), { recursive: true, filter: (src) => !src.endsWith('.node') });
    const platformPkg = `${pkg}-${LAMBDA_PLATFORM}`;
    const cached = join(ROOT, '.data', 'npm-pack', `${platformPkg.replace('/', '__')}@${version}`);
    const binary = `${pkg.split('/').pop()}.${LAMBDA_PLATFORM}.node`;
    await unpackFromNpm(`${platformPkg}@${version}`, 'package', cached, binary);
    cpSync(cached, join(dir, 'node_modules', platformPkg), { recursive: true });
  }
}

async function main(): Promise<void> {
  rmSync(join(DIST, 'lambda'), { recursive: true, force: true });
  const sizes: string[] = [];
  const bytes: Record<string, { atStart: number; total: number; loadedAtStart: string[] }> = {};
  for (const fn of FUNCTIONS) {
    const out = await bundle(fn);
    await asset(fn, out.path);
    bytes[fn.name] = { atStart: out.atStart, total: out.total, loadedAtStart: out.files };
    sizes.push(`${fn.name}.mjs ${(out.atStart / 1024).toFixed(0)} KiB at start (${(out.total / 1024).toFixed(0)} KiB with what it loads when needed)`);
  }
  // Bytes a cold start parses, and all of the function's code (the benchmark and a test read it).
  writeFileSync(join(DIST, 'lambda', 'sizes.json'), JSON.stringify(bytes, null, 2) + '\n');
  // serverless/serverless.yml makes its HTTP API routes from this, so they cannot drift from ROUTES.
  const routes = ROUTES.map(({ method, path }) => ({ method, path: gatewayPath(path) }));
  writeFileSync(join(DIST, 'lambda-asset', 'routes.json'), JSON.stringify(routes, null, 2) + '\n');
  // config.json is added at deploy time.
  await Promise.all([buildWeb(), buildNode()]);
  process.stdout.write(`Built dist/lambda: ${sizes.join(', ')}; dist/web\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`Build failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
