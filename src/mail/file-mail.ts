import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import { type Clock, systemClock } from '../core/clock';
import { type MailSender, MailUnavailableError, type OutgoingMail } from '../core/mail';
import { nodemailerMessage } from './nodemailer-message';

export interface FileMailOptions {
  /** The outbox; created (owner-only) when missing. */
  readonly dir: string;
  /** `Name <address>` or a bare address. */
  readonly from: string;
  readonly clock?: Clock;
}

/** `20261202T101112345Z`: the time in a form that sorts as text and is a valid file name everywhere. */
const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:.]/g, '');

/**
 * Development mail: each message becomes one RFC 5322 `.eml` file in `dir`, named
 * `<time>-<sequence>-<random>.eml` so a directory listing is in the order they were sent. Each file
 * appears whole or not at all (written under a dot-name, synced, then renamed), and is readable by
 * its owner only: the links in it are as good as passwords.
 */
export function fileMail({ dir, from, clock = systemClock }: FileMailOptions): MailSender {
  let sequence = 0;
  return {
    async send(message: OutgoingMail): Promise<void> {
      const now = clock.now();
      // CRLF line ends throughout, as RFC 5322 requires of a message at rest.
      const raw = await new MailComposer({ ...nodemailerMessage(from, message, new Date(now)), newline: 'win' }).compile().build();
      sequence = (sequence + 1) % 1_000_000;
      const name = `${stamp(now)}-${String(sequence).padStart(6, '0')}-${randomBytes(4).toString('hex')}.eml`;
      const temporary = join(dir, `.${name}.tmp`);
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        const file = await open(temporary, 'wx', 0o600);
        try {
          await file.writeFile(raw);
          await file.datasync();
        } finally {
          await file.close();
        }
        await rename(temporary, join(dir, name));
      } catch (error) {
        await rm(temporary, { force: true }).catch(() => undefined);
        const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        throw new MailUnavailableError(`Mail could not be written to ${dir}: ${reason}`);
      }
    },
  };
}
