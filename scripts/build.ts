/**
 * `npm run build` (after the type-check): one ESM bundle per Lambda function in dist/lambda/, for
 * each a deployable folder in dist/lambda-asset/ (the API's with the Argon2 native binary for
 * linux-arm64, whatever machine builds it), the route table as JSON for deploy tools that do not
 * read TypeScript (dist/lambda-asset/routes.json), and the web app in dist/web/.
 */
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { unpackFromNpm } from '../src/dev/npm-pack';
import { gatewayPath, ROUTES } from '../src/http/routes';
import { buildNode, buildWeb } from './build-node.mjs';
import { compactPasswordList } from './compact-password-list';

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

async function bundle(fn: (typeof FUNCTIONS)[number]): Promise<string> {
  const outfile = join(DIST, 'lambda', `${fn.name}.mjs`);
  await build({
    entryPoints: [join(ROOT, fn.entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    legalComments: 'none',
    external: [...fn.native, ...fn.beside.map((pkg) => `${pkg}/*`)],
    // CommonJS dependencies inside an ES module still need `require` for Node built-ins.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    plugins: [compactPasswordList()],
    logLevel: 'warning',
  });
  return outfile;
}

/** The folder CDK deploys: the bundle, plus the native packages it loads at run time, for Lambda's platform. */
async function asset(fn: (typeof FUNCTIONS)[number], bundlePath: string): Promise<void> {
  const dir = join(DIST, 'lambda-asset', fn.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync(bundlePath, join(dir, `${fn.name}.mjs`));
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
  for (const fn of FUNCTIONS) {
    const out = await bundle(fn);
    await asset(fn, out);
    sizes.push(`${fn.name}.mjs ${(statSync(out).size / 1024).toFixed(0)} KiB`);
  }
  writeFileSync(join(DIST, 'lambda', 'sizes.txt'), sizes.join('\n') + '\n');
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
