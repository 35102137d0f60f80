/**
 * `npm run start:serverless`: serverless/serverless.yml under serverless-offline — the built Lambda
 * functions (`npm run build` first), their routes and both authorizers — against DynamoDB Local
 * with data in .data/dynamodb-serverless, its table created first. Arguments go to
 * `serverless offline` (e.g. --httpPort 4000 --stage test). With AWS_ENDPOINT_URL_DYNAMODB set,
 * that endpoint is used and no emulator is started. The API may only send mail through SES, so
 * mail goes to a local SES endpoint that writes each message to AUTH_MAIL's folder (file:DIR,
 * .data/outbox by default); with AUTH_MAIL=ses it goes to SES itself. Ctrl-C stops everything.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { type DynamoDbLocal, startDynamoDbLocal } from '../src/dev/dynamodb-local';
import { type SesOutbox, startSesOutbox } from '../src/dev/ses-outbox';
import { createDynamoClients } from '../src/entry/dynamodb-client';
import { DEFAULT_KEK_FILE, loadLocalKek } from '../src/keys/local-kek';
import { loadMailConfig } from '../src/mail/mail-config';
import { ensureTable } from '../src/store/dynamodb-table';
import { ensureServerlessInstalled, SERVERLESS_BIN, SERVERLESS_DIR } from './serverless-install';

const say = (line: string) => process.stdout.write(`${line}\n`);

/** serverless.yml names the table `gatehouse-<stage>`; the stage is dev unless --stage says otherwise. */
function stageOf(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith('--stage=')) return arg.slice('--stage='.length);
    if ((arg === '--stage' || arg === '-s') && args[i + 1]) return args[i + 1]!;
  }
  return 'dev';
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  await ensureServerlessInstalled(say);

  let local: DynamoDbLocal | undefined;
  let endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  if (!endpoint) {
    local = await startDynamoDbLocal({ dbPath: join(process.cwd(), '.data', 'dynamodb-serverless') });
    endpoint = local.endpoint;
    say(`DynamoDB Local on ${endpoint} (data in .data/dynamodb-serverless, pid ${local.process.pid})`);
  }
  // Mail: a file outbox behind a local SES endpoint, or SES itself.
  const mail = loadMailConfig(process.env);
  if (mail.kind === 'smtp') throw new Error('Under serverless offline, AUTH_MAIL must be file:DIR or ses: the Lambda bundle sends mail through SES only');
  let outbox: SesOutbox | undefined;
  if (mail.kind === 'file') {
    outbox = await startSesOutbox(mail.dir);
    say(`Mail: a local SES endpoint on ${outbox.url} writes each message to ${mail.dir}`);
  }
  const mailEnv = outbox ? { AUTH_MAIL: 'ses', AUTH_MAIL_FROM: mail.from, AWS_ENDPOINT_URL_SESV2: outbox.url } : {};
  // The API seals its keys as on AWS, with the project's local key-encryption key in place of KMS.
  const kek = loadLocalKek({ env: process.env, file: join(process.cwd(), DEFAULT_KEK_FILE) });
  const env = {
    ...process.env,
    AUTH_KEY_ENCRYPTION_KEY: Buffer.from(kek.key).toString('base64'),
    ...mailEnv,
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    // DynamoDB Local accepts any credentials, but the SDK wants some.
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    // A local run has no business calling home.
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
  };

  const table = `gatehouse-${stageOf(args)}`;
  const clients = createDynamoClients({ ...process.env, AWS_ENDPOINT_URL_DYNAMODB: endpoint });
  try {
    say(`${(await ensureTable(clients.client, table)) ? 'Created' : 'Using'} table ${table}`);
  } finally {
    clients.client.destroy();
  }

  const child = spawn(process.execPath, [SERVERLESS_BIN, 'offline', 'start', ...args], { cwd: SERVERLESS_DIR, env, stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const code = await new Promise<number>((resolve) => child.once('exit', (c, signal) => resolve(c ?? (signal ? 0 : 1))));
  await Promise.all([local?.stop(), outbox?.close()]);
  process.exit(code);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
