/**
 * An esbuild plugin for the Lambda bundle: the common-password list as only the entries the
 * policy can ever meet (long enough to pass the length rule, lower-cased, once each), sorted and
 * Brotli-compressed, unpacked with node:zlib on first use. The list as the package ships it takes
 * 379 KB of the bundle; this form about 68 KB, which leaves the API room for the rest within its
 * 1.5 MB budget. What `common-passwords.ts` makes of it is the same set either way (a test in
 * lambda-bundles.e2e.test.ts refuses a common password through the bundle).
 */
import { brotliCompressSync } from 'node:zlib';
import type { Plugin } from 'esbuild';
import { PASSWORD_MIN } from '../src/core/passwords';

const LIST = /@zxcvbn-ts[\\/]language-common[\\/]dist[\\/]passwords\.json\.mjs$/;

export function compactPasswordList(): Plugin {
  return {
    name: 'compact-password-list',
    setup(build) {
      build.onLoad({ filter: LIST }, async (args) => {
        const { default: list } = (await import(args.path)) as { default: string[] };
        const eligible = [...new Set(list.filter((password) => [...password].length >= PASSWORD_MIN).map((p) => p.toLowerCase()))].sort();
        if (eligible.some((password) => password.includes('\n'))) throw new Error('a common password contains a line break');
        const packed = brotliCompressSync(Buffer.from(eligible.join('\n'), 'utf8')).toString('base64');
        return {
          loader: 'js',
          contents:
            "import { brotliDecompressSync } from 'node:zlib';\n" +
            `export default brotliDecompressSync(Buffer.from('${packed}', 'base64')).toString('utf8').split('\\n');\n`,
        };
      });
    },
  };
}
