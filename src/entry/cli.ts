import { parseArgs } from 'node:util';
import { removeUser } from '../core/account-removal';
import { systemClock } from '../core/clock';
import { canonicalUsername } from '../core/identity';
import { endSession, listSessions } from '../core/sessions';
import { signingKeys } from '../core/signing-keys';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { importUsers, type ImportReport } from '../core/import-users';
import { ensureTable } from '../store/dynamodb-table';
import type { Store } from '../store/store';
import { ConfigError, loadConfig } from './config';
import { createDynamoClients } from './dynamodb-client';
import { openStore } from './open-store';
import { terminalLines, terminalSafe } from './terminal-text';

type Env = Readonly<Record<string, string | undefined>>;

interface Command {
  readonly usage: string;
  readonly summary: string;
  readonly help: string;
  run(args: string[], io: Io): Promise<number>;
}

export interface Io {
  readonly env: Env;
  out(text: string): void;
  err(text: string): void;
}

/** A mistake in how the command was called: one line, exit code 2. */
class UsageError extends Error {}

const STORE_HELP = `The store is the one the server uses: AUTH_STORE (sqlite or dynamodb), AUTH_SQLITE_FILE,
AUTH_TABLE, and for DynamoDB the AWS SDK's own variables (AWS_REGION, credentials,
AWS_ENDPOINT_URL_DYNAMODB).`;

async function withStore<T>(io: Io, work: (store: Store, ttl: number) => Promise<T>): Promise<T> {
  const config = loadConfig(io.env);
  const { store } = await openStore(config, io.env, systemClock);
  try {
    return await work(store, config.accessTokenTtl);
  } finally {
    await store.close();
  }
}

function username(raw: string | undefined): string {
  if (!raw) throw new UsageError('a username is required');
  const name = canonicalUsername(raw);
  if (!name) throw new UsageError(`not a valid username: ${JSON.stringify(raw)}`);
  return name;
}

type Options = Record<string, { type: 'string' | 'boolean'; short?: string }>;

function parse(args: string[], options: Options = {}): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' }, ...options }, allowPositionals: true, strict: true });
    return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]!);
  }
}

/** A bar when stderr is a terminal, a line per page otherwise. */
function progress(io: Io, total: number | undefined, tty: boolean) {
  return (r: ImportReport) => {
    const done = r.seen;
    const bar = total ? `[${'#'.repeat(Math.min(30, Math.round((done / total) * 30))).padEnd(30, '.')}] ` : '';
    const line = `${bar}${done}${total ? `/${total}` : ''} read · ${r.imported} imported · ${r.alreadyImported} already there · ${r.skipped.length} skipped`;
    if (tty) process.stderr.write(`\r${line}`);
    else io.err(line);
  };
}

const commands: Record<string, Command> = {
  'import-users': {
    usage: 'gatehouse import-users --source-table NAME [--dry-run] [--limit N] [--page-size N]',
    summary: "copy users from a tutorial table (username, name, bcrypt password) into Gatehouse",
    help: `Reads the tutorials' DynamoDB table (partition key "username"; items {username, name,
password: bcrypt hash, tokens?: [...]}) and creates each user in Gatehouse's store. bcrypt hashes
are kept and become Argon2id at the user's first login; old tokens are dropped. Names that
differ only in letter case (Kate, kate) are all skipped, as are names with look-alike letters
and bcrypt costs outside 4-14. A checkpoint after every page lets an interrupted import carry on
where it stopped; users imported earlier from the same item are counted, never written twice.
Ends with a report: imported, already there, skipped and why.
Options:
  --source-table NAME  the tutorial table (read with the AWS SDK's own configuration)
  --dry-run            check every item and report, writing nothing
  --limit N            import at most N users in this run; the next run carries on
  --page-size N        items read per request (default 100)
${STORE_HELP}`,
    async run(args, io) {
      const { values } = parse(args, { 'source-table': { type: 'string' }, 'dry-run': { type: 'boolean' }, limit: { type: 'string' }, 'page-size': { type: 'string' } });
      const source = values['source-table'];
      if (typeof source !== 'string' || !source) throw new UsageError('--source-table is required');
      const number = (flag: string, fallback?: number) => {
        const raw = values[flag];
        if (raw === undefined) return fallback;
        if (!/^\d+$/.test(String(raw)) || Number(raw) < 1) throw new UsageError(`--${flag} must be a whole number from 1`);
        return Number(raw);
      };
      const limit = number('limit');
      const pageSize = number('page-size', 100)!;
      const dryRun = Boolean(values['dry-run']);
      const clients = createDynamoClients(io.env);
      try {
        const described = await clients.client.send(new DescribeTableCommand({ TableName: source }));
        const total = described.Table?.ItemCount || undefined;
        const tty = Boolean(process.stderr.isTTY) && io.env.CI !== 'true';
        const report = await withStore(io, (store) =>
          importUsers(store, systemClock, {
            source,
            dryRun,
            limit,
            keyOf: (item) => ({ username: item.username }),
            readPage: async (start) => {
              const page = await clients.document.send(new ScanCommand({ TableName: source, Limit: pageSize, ConsistentRead: true, ExclusiveStartKey: start }));
              return { items: page.Items ?? [], next: page.LastEvaluatedKey };
            },
            onProgress: progress(io, total, tty),
          }),
        );
        if (tty) process.stderr.write('\n');
        const verb = dryRun ? 'Would import' : 'Imported';
        io.out(`${verb} ${report.imported} user(s) from ${terminalSafe(source)}; ${report.alreadyImported} already there; ${report.skipped.length} skipped${report.resumed ? ' (carried on from the last run)' : ''}.`);
        // Names come from the tutorial's table, as anyone typed them.
        for (const { username: name, reason } of report.skipped) io.out(`  skipped ${terminalSafe(name)}: ${terminalSafe(reason)}`);
        if (!report.finished) io.out(`Stopped after ${limit} import(s); run the same command again to carry on.`);
        return 0;
      } finally {
        clients.client.destroy();
      }
    },
  },

  'create-table': {
    usage: 'gatehouse create-table [--table NAME]',
    summary: 'create the DynamoDB table (on-demand, TTL on) in your own account; safe to run again',
    help: `Creates Gatehouse's single table: partition key pk, sort key sk (strings), on-demand
billing, TTL on the attribute "ttl". Does nothing but report when it exists.
Options:
  --table NAME   the table (default: $AUTH_TABLE, else "gatehouse")
Uses the AWS SDK's own configuration (AWS_REGION, credentials, AWS_ENDPOINT_URL_DYNAMODB).`,
    async run(args, io) {
      const { values } = parse(args, { table: { type: 'string' } });
      const { table } = loadConfig({ ...io.env, AUTH_STORE: 'dynamodb', ...(values.table ? { AUTH_TABLE: String(values.table) } : {}) });
      const clients = createDynamoClients(io.env);
      try {
        const created = await ensureTable(clients.client, table);
        io.out(created ? `Created table ${table} (on-demand, TTL on "ttl")` : `Table ${table} already exists; TTL on "ttl"`);
      } finally {
        clients.client.destroy();
      }
      return 0;
    },
  },

  'rotate-keys': {
    usage: 'gatehouse rotate-keys',
    summary: 'make a new signing key; older keys leave the JWKS once their tokens have expired',
    help: `Generates a new RS256 signing key, which every instance signs with within five minutes.
Each older key gets an expiry: it stays in the store and the JWKS until every token it may
still sign has expired (five minutes + AUTH_ACCESS_TOKEN_TTL + one minute), then it is gone.
${STORE_HELP}`,
    async run(args, io) {
      parse(args);
      const result = await withStore(io, (store, ttl) => signingKeys({ store, clock: systemClock }).rotate(ttl));
      io.out(`New signing key ${result.kid}`);
      for (const old of result.retiring) io.out(`Key ${old.kid} leaves the JWKS at ${new Date(old.expiresAt).toISOString()}`);
      return 0;
    },
  },

  sessions: {
    usage: 'gatehouse sessions list <username> | sessions revoke <username> (<session-id> | --all)',
    summary: "list a user's sessions, or end one or all of them at once",
    help: `sessions list <username>
    Every live session: id, created, last used, user agent.
sessions revoke <username> <session-id>
sessions revoke <username> --all
    Ends the session(s): their access and refresh tokens are refused at once.
${STORE_HELP}`,
    async run(args, io) {
      const { values, positionals } = parse(args, { all: { type: 'boolean' } });
      const [action, rawName, sid] = positionals;
      const name = username(rawName);
      if (action === 'list') {
        const sessions = await withStore(io, (store) => listSessions(store, name));
        if (!sessions.length) io.out(`${name} has no live sessions`);
        for (const s of sessions) io.out(`${s.sid}  created ${s.createdAt}  last used ${s.lastUsedAt}  ${terminalSafe(s.userAgent ?? '-')}`);
        return 0;
      }
      if (action === 'revoke') {
        if (Boolean(values.all) === Boolean(sid)) throw new UsageError('give either a session id or --all');
        const ended = await withStore(io, async (store) => {
          if (sid) return (await endSession(store, name, sid)) ? 1 : 0;
          let count = 0;
          for (const s of await listSessions(store, name)) if (await endSession(store, name, s.sid)) count++;
          return count;
        });
        if (sid && ended === 0) {
          io.err(`No live session ${sid} for ${name}`);
          return 1;
        }
        io.out(`Ended ${ended} session${ended === 1 ? '' : 's'} of ${name}`);
        return 0;
      }
      throw new UsageError(`unknown action ${JSON.stringify(action ?? '')}: use list or revoke`);
    },
  },

  user: {
    usage: 'gatehouse user delete <username> --yes',
    summary: 'remove a user and everything that belongs to them',
    help: `user delete <username> --yes
    Ends every session, then removes the email claim, the user and their messages.
    Without --yes it only says what it would remove. Safe to run again if interrupted.
${STORE_HELP}`,
    async run(args, io) {
      const { values, positionals } = parse(args, { yes: { type: 'boolean', short: 'y' } });
      const [action, rawName] = positionals;
      if (action !== 'delete') throw new UsageError(`unknown action ${JSON.stringify(action ?? '')}: use delete`);
      const name = username(rawName);
      if (!values.yes) {
        io.err(`This removes ${name}, every session and every message of theirs. Run again with --yes to do it.`);
        return 1;
      }
      const removal = await withStore(io, (store) => removeUser(store, name));
      if (!removal.user && !removal.sessions && !removal.messages) {
        io.err(`No user ${name}`);
        return 1;
      }
      io.out(`Removed ${name}: ${removal.sessions} session(s), ${removal.messages} message(s)`);
      return 0;
    },
  },
};

function overview(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  return [
    'Usage: gatehouse <command> [options]     (gatehouse <command> --help for more)',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`),
  ].join('\n');
}

/** Runs one command line; resolves with the exit code. */
export async function runCli(argv: string[], terminal: Io): Promise<number> {
  // Whatever reaches the terminal, arguments and stored data included, is printed without control characters.
  const io: Io = { env: terminal.env, out: (text) => terminal.out(terminalLines(text)), err: (text) => terminal.err(terminalLines(text)) };
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(overview());
    return 0;
  }
  const command = commands[name];
  if (!command) {
    io.err(`Unknown command ${JSON.stringify(name)}. Run gatehouse --help for the list.`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`Usage: ${command.usage}\n\n${command.help}`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\nUsage: ${command.usage}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      io.err(error.message);
      return 2;
    }
    io.err(`gatehouse ${name} failed: ${terminalSafe(error instanceof Error ? `${error.name}: ${error.message}` : String(error))}`);
    return 1;
  }
}
