import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';

export interface OutboxMail {
  readonly file: string;
  readonly raw: string;
  readonly parsed: ParsedMail;
}

/** The `.eml` files of a file: outbox, oldest first (their names sort by time), parsed by mailparser. */
export async function readOutbox(dir: string): Promise<OutboxMail[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files = names.filter((name) => name.endsWith('.eml') && !name.startsWith('.')).sort();
  return Promise.all(
    files.map(async (file) => {
      const raw = await readFile(join(dir, file), 'utf8');
      return { file, raw, parsed: await simpleParser(raw) };
    }),
  );
}

/** The first link to `appUrl/#key=…` in a text part, and its token. */
export function fragmentToken(text: string | undefined, key: 'verify' | 'reset'): string | undefined {
  const match = new RegExp(`/#${key}=([A-Za-z0-9_%.~-]+)`).exec(text ?? '');
  return match ? decodeURIComponent(match[1]!) : undefined;
}
