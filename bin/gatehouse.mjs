#!/usr/bin/env node
// The command line: runs src/entry/cli.ts through tsx, which npm ci installs.
import { register } from 'tsx/esm/api';

register();
// Before any AWS SDK client exists: see src/entry/sdk-notice.ts.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { runCli } = await import('../src/entry/cli.ts');
const code = await runCli(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
});
process.exitCode = code;
