import { ConfigError } from '../config';
import type { ProcessEnv } from '../process-env';
import { type Command, CommandError, type Io, UsageError } from './command';
import { createTableCommand } from './create-table-command';
import { importUsersCommand } from './import-users-command';
import { rotateKeysCommand } from './rotate-keys-command';
import { sessionsCommand } from './sessions-command';
import { terminalLines, terminalSafe } from './terminal-text';
import { userCommand } from './user-command';

export type { Io } from './command';

const commands: Record<string, Command> = {
  'import-users': importUsersCommand,
  'create-table': createTableCommand,
  'rotate-keys': rotateKeysCommand,
  sessions: sessionsCommand,
  user: userCommand,
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

/** The terminal a command line runs in: the environment, the folder, and the two streams. */
export interface Terminal {
  readonly env: ProcessEnv;
  readonly cwd?: string;
  /** Whether progress may redraw one line (an interactive terminal). */
  readonly interactive?: boolean;
  out(text: string): void;
  err(text: string): void;
  /** Raw output to the error stream, for redrawing a progress line. */
  errRaw?(text: string): void;
}

/** Runs one command line; resolves with the exit code. */
export async function runCli(argv: string[], terminal: Terminal): Promise<number> {
  // Whatever reaches the terminal, arguments and stored data included, is printed without control characters.
  const redraw = terminal.interactive && terminal.errRaw && terminal.env.CI !== 'true';
  let drawing = false;
  const io: Io = {
    env: terminal.env,
    cwd: terminal.cwd ?? process.cwd(),
    out: (text) => terminal.out(terminalLines(text)),
    err: (text) => terminal.err(terminalLines(text)),
    progress: (text) => {
      if (!redraw) return terminal.err(terminalLines(text));
      drawing = true;
      terminal.errRaw!(`\r${terminalSafe(text)}`);
    },
    progressDone: () => {
      if (drawing) terminal.errRaw!('\n');
      drawing = false;
    },
  };
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
    io.progressDone();
    if (error instanceof UsageError) {
      io.err(`${error.message}\nUsage: ${command.usage}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      io.err(error.message);
      return 2;
    }
    if (error instanceof CommandError) {
      io.err(error.message);
      return 1;
    }
    io.err(`gatehouse ${name} failed: ${terminalSafe(error instanceof Error ? `${error.name}: ${error.message}` : String(error))}`);
    return 1;
  }
}
