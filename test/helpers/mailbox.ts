import type { AddressObject, ParsedMail } from 'mailparser';
import { expect } from 'vitest';
import { fragmentToken, type OutboxMail, readOutbox } from './outbox';

/** Every address a parsed mail is addressed to. */
export function recipients(parsed: ParsedMail): string[] {
  const to = parsed.to === undefined ? [] : Array.isArray(parsed.to) ? parsed.to : [parsed.to];
  return to.flatMap((group: AddressObject) => group.value.map((entry) => entry.address ?? ''));
}

/** The mails in a file: outbox addressed to `address`, oldest first. */
export async function mailsTo(outbox: string, address: string): Promise<OutboxMail[]> {
  return (await readOutbox(outbox)).filter((mail) => recipients(mail.parsed).includes(address));
}

/** Waits until the outbox holds `count` mails to `address` (mail sent after an answer comes a moment later), and returns the last. */
export async function nthMailTo(outbox: string, address: string, count: number): Promise<OutboxMail> {
  await expect.poll(async () => (await mailsTo(outbox, address)).length).toBeGreaterThanOrEqual(count);
  return (await mailsTo(outbox, address))[count - 1]!;
}

/** The token of the `#verify=` or `#reset=` link in a mail's text part; fails the test when there is none. */
export function linkOf(mail: OutboxMail | { parsed: ParsedMail }, key: 'verify' | 'reset'): string {
  const token = fragmentToken(mail.parsed.text, key);
  expect(token, `a #${key}= link in "${mail.parsed.subject}"`).toBeDefined();
  return token!;
}
