import type { BuildOptions } from 'esbuild';

/** How every Lambda bundle is made (scripts/build.ts), and the benchmark's floor bundle with it. */
export const LAMBDA_BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  legalComments: 'none',
  // CommonJS dependencies inside an ES module still need `require` for Node built-ins.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  logLevel: 'warning',
} satisfies BuildOptions;
