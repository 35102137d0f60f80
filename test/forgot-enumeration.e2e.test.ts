import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AFTER_RESPONSE_DELAY_MS } from '../src/entry/after-response';
import { linkOf } from './helpers/mailbox';
import { postJson, type RunningServer, startServer } from './helpers/server';
import { serverStores } from './helpers/server-stores';
import { type SmtpSink, startSmtpSink } from './helpers/smtp-sink';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-forgot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PASSWORD = 'a long and unusual passphrase';
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/** The three kinds of name a stranger might type. */
const KINDS = { verified: 'vera', unverified: 'una', unknown: 'nobody' } as const;
type Kind = keyof typeof KINDS;
/**
 * One cycle of measured requests: each kind three times, and every kind right after every kind
 * (itself included) exactly once, counting the step from the last back to the first, so that
 * whatever a request leaves behind falls on every kind alike.
 */
const CYCLE = [0, 0, 1, 0, 2, 1, 1, 2, 2];

/** Time for an account lookup after the answer (it starts AFTER_RESPONSE_DELAY_MS after it). */
const LOOKUP_DONE_MS = AFTER_RESPONSE_DELAY_MS + 15;
/** How long the server idles between the end of one request's work and the next request. */
const IDLE_MS = 20;

describe.each(serverStores)('POST /password/forgot tells nothing about the account, on $name', (store) => {
  let sink: SmtpSink;
  let server: RunningServer;
  beforeAll(async () => {
    sink = await startSmtpSink();
    server = await startServer({
      ...store.env(dir, 'forgot'),
      AUTH_MAIL: sink.url,
      AUTH_MAIL_FROM: 'Gatehouse <no-reply@gatehouse.test>',
      // Limits far away, so every request takes the full path.
      AUTH_EMAIL_REQUESTS_PER_ACCOUNT_PER_HOUR: '1000',
      AUTH_CLIENT_EMAIL_REQUESTS_PER_10_MIN: '1000000',
    });
    await postJson(`${server.url}/register`, { name: 'Vera', username: KINDS.verified, password: PASSWORD, email: 'vera@example.com' });
    await sink.waitFor((m) => m.envelope.to.includes('vera@example.com'));
    const confirmed = await postJson(`${server.url}/email/verify`, { token: linkOf(sink.messages.at(-1)!, 'verify') });
    expect(confirmed.status).toBe(200);
    await postJson(`${server.url}/register`, { name: 'Una', username: KINDS.unverified, password: PASSWORD, email: 'una@example.com' });
    await sink.waitFor((m) => m.envelope.to.includes('una@example.com'));
  });
  afterAll(async () => {
    await server?.stop();
    await sink?.stop();
  });

  const mailsTo = (address: string) => sink.messages.filter((m) => m.envelope.to.includes(address)).length;

  /**
   * One request, timed from sending to the last byte of the answer. Then it waits until the work
   * after the answer is done — the mail, for the verified account; the lookup otherwise — and the
   * server has idled IDLE_MS: every request meets a server in the same state. (A server idle for
   * longer answers more slowly on a virtual machine, and one about to run the last request's
   * lookup answers differently again: sent 10 ms after each answer, a request after a mail took
   * 20–25 % longer than one after an unknown name.)
   */
  async function ask(kind: Kind, body: Record<string, string> = { username: KINDS[kind] }) {
    const before = mailsTo('vera@example.com');
    const started = performance.now();
    const res = await fetch(`${server.url}/password/forgot`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    const ms = performance.now() - started;
    if (kind === 'verified' && res.status === 202) await expect.poll(() => mailsTo('vera@example.com'), { interval: 2 }).toBe(before + 1);
    else await sleep(LOOKUP_DONE_MS);
    await sleep(IDLE_MS);
    const headers = [...res.headers].filter(([name]) => name !== 'date' && name !== 'x-request-id');
    return { status: res.status, text, headers, ms };
  }

  it('answers the same status, body and headers for a verified account, an unverified one and nobody, by name or by address', async () => {
    const answers = [
      await ask('verified'),
      await ask('unverified'),
      await ask('unknown'),
      await ask('verified', { email: 'vera@example.com' }),
      await ask('unverified', { email: 'una@example.com' }),
      await ask('unknown', { email: 'nobody@example.com' }),
    ];
    const [first, ...rest] = answers.map(({ status, text, headers }) => ({ status, text, headers }));
    expect(first!.status).toBe(202);
    expect(JSON.parse(first!.text)).toEqual({ message: 'If the account exists and has a verified email, a reset link is on its way' });
    expect(first!.headers.map(([name]) => name)).toContain('content-type');
    for (const other of rest) expect(other).toEqual(first);
    // And only the verified address was sent anything.
    expect(mailsTo('una@example.com')).toBe(1);
  });

  it('takes as long for each: medians within 10 % over interleaved samples', async () => {
    const kinds = Object.keys(KINDS) as Kind[];
    for (let i = 0; i < 9; i++) await ask(kinds[i % 3]!);
    const samples: Record<Kind, number[]> = { verified: [], unverified: [], unknown: [] };
    // Each cycle's mean time per kind as a share of the cycle's mean: the machine is shared, and
    // its load, which swings from second to second, falls on the kinds of one cycle alike.
    const shares: Record<Kind, number[]> = { verified: [], unverified: [], unknown: [] };
    const cycles = 40;
    for (let cycle = 0; cycle < cycles; cycle++) {
      const times: Record<Kind, number[]> = { verified: [], unverified: [], unknown: [] };
      for (const index of CYCLE) {
        const kind = kinds[index]!;
        const { status, ms } = await ask(kind);
        expect(status).toBe(202);
        times[kind].push(ms);
        samples[kind].push(ms);
      }
      const overall = mean(Object.values(times).flat());
      for (const kind of kinds) shares[kind].push(mean(times[kind]) / overall);
    }
    const medians = Object.fromEntries(kinds.map((kind) => [kind, median(samples[kind])])) as Record<Kind, number>;
    const relative = Object.fromEntries(kinds.map((kind) => [kind, median(shares[kind])])) as Record<Kind, number>;
    const spread = (values: Record<Kind, number>) =>
      (Math.max(...Object.values(values)) - Math.min(...Object.values(values))) / Math.max(...Object.values(values));
    const shown =
      kinds.map((kind) => `${kind} ${medians[kind].toFixed(2)} ms (${relative[kind].toFixed(3)} of its cycle)`).join(', ') +
      `; spread of the medians ${(spread(medians) * 100).toFixed(1)} %, of the per-cycle shares ${(spread(relative) * 100).toFixed(1)} %`;
    console.log(`forgot timing on ${store.name}, ${cycles} cycles: ${shown}`);
    expect(spread(relative), shown).toBeLessThanOrEqual(0.1);
  }, 180_000);
});
