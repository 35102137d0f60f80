import { quietSdkNodeNotice } from '../sdk-notice';
import { runCli } from './main';

// `npx gatehouse`: the command line on the process's own streams.
quietSdkNodeNotice();
const code = await runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  interactive: Boolean(process.stderr.isTTY),
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  errRaw: (text) => process.stderr.write(text),
});
process.exitCode = code;
