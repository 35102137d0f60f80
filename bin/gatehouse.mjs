#!/usr/bin/env node
// The command line, as built by `npm ci` (prepare) or `npm run build`: dist/node/gatehouse.mjs.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/node/gatehouse.mjs', import.meta.url);
if (!existsSync(fileURLToPath(built))) {
  process.stderr.write('gatehouse: the command line is not built yet; run `npm run build` (npm ci does it too)\n');
  process.exit(1);
}
await import(built.href);
