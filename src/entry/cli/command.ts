import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../../core/clock';
import { canonicalUsername } from '../../core/identity';
import type { Store } from '../../store/store';
import { type Config, loadConfig } from '../config';
import { openStore } from '../open-store';
import type { ProcessEnv } from '../process-env';
import { nearestPackageRoot } from '../project-root';

/** What a command reads and writes: the environment, its answer, and its messages. */
export interface Io {
  readonly env: ProcessEnv;
  /** Where the command runs; relative paths are judged from the project around it. */
  readonly cwd: string;
  out(text: string): void;
  err(text: string): void;
  /** A line of progress that the next one replaces (on a terminal), or a line of its own. */
  progress(text: string): void;
  /** Ends a run of progress lines. */
  progressDone(): void;
}

export interface Command {
  readonly usage: string;
  readonly summary: string;
  readonly help: string;
  run(args: string[], io: Io): Promise<number>;
}

/** A mistake in how the command was called: one line, exit code 2. */
export class UsageError extends Error {}

/** Something the command cannot do with what it was given or found: one line, exit code 1. */
export class CommandError extends Error {}

export const STORE_HELP = `The store is the one the server uses: AUTH_STORE (sqlite or dynamodb), AUTH_SQLITE_FILE
(relative to the project folder), AUTH_TABLE, and for DynamoDB the AWS SDK's own variables
(AWS_REGION, credentials, AWS_ENDPOINT_URL_DYNAMODB). Every command says which store it opened.`;

/** The folder of the nearest package.json at or above `from`. */
export function projectRoot(from: string): string {
  return nearestPackageRoot(from) ?? resolve(from);
}

/**
 * The configured store, opened for one command. A relative SQLite path is the project's, wherever
 * the command is run from; a database that is not there yet is not made (the server makes it).
 */
export async function withStore<T>(io: Io, work: (store: Store, config: Config) => Promise<T>, options: { mayCreate?: boolean } = {}): Promise<T> {
  const loaded = loadConfig(io.env);
  const config = { ...loaded, sqliteFile: sqlitePath(loaded.sqliteFile, io.cwd) };
  const fresh = config.store === 'sqlite' && config.sqliteFile !== ':memory:' && !existsSync(config.sqliteFile);
  if (fresh && !options.mayCreate) {
    throw new CommandError(`No database at ${config.sqliteFile}: start the server once to make it, or set AUTH_SQLITE_FILE`);
  }
  const { store, label } = await openStore(config, io.env, systemClock);
  io.err(`Store: ${label}${fresh ? ' (new)' : ''}`);
  try {
    return await work(store, config);
  } finally {
    await store.close();
  }
}

const sqlitePath = (file: string, cwd: string) => (file === ':memory:' || isAbsolute(file) ? file : join(projectRoot(cwd), file));

export function username(raw: string | undefined): string {
  if (!raw) throw new UsageError('a username is required');
  const name = canonicalUsername(raw);
  if (!name) throw new UsageError(`not a valid username: ${JSON.stringify(raw)}`);
  return name;
}

type Options = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/**
 * The command's options and operands. Only the command's own options are options: `--name`,
 * `--name=value`, or a short flag alone (`-y`); any other word is an operand, even one that begins
 * with '-' — session ids and usernames may, and one copied from `sessions list` must work as it is.
 * A word after an option that takes a value is left to it; `--` ends the options as usual. More
 * than `most` operands is a mistake, said rather than ignored (a mistyped option is one of them).
 */
export function parse(args: string[], options: Options = {}, most = 0): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const all: Options = { help: { type: 'boolean', short: 'h' }, ...options };
  const spellings = ([name, o]: [string, Options[string]]) => [`--${name}`, ...(o.short ? [`-${o.short}`] : [])];
  const known = new Set(Object.entries(all).flatMap(spellings));
  const takesValue = new Set(
    Object.entries(all)
      .filter(([, o]) => o.type === 'string')
      .flatMap(spellings),
  );
  const positionals: string[] = [];
  const optionWords: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (takesValue.has(word)) {
      optionWords.push(word, ...args.slice(i + 1, i + 2));
      i++;
    } else if (known.has(word.split('=')[0]!)) optionWords.push(word);
    else positionals.push(word);
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: optionWords, options: all, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]!);
  }
  const extra = positionals[most];
  if (extra !== undefined) throw new UsageError(extra.startsWith('-') ? `Unknown option '${extra}'` : `unexpected argument ${JSON.stringify(extra)}`);
  return { values: parsed.values as Record<string, string | boolean | undefined>, positionals };
}
