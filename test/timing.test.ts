import { describe, expect, it } from 'vitest';
import { THROTTLE_DEFAULTS } from '../src/core/throttle';
import { ARGON2_DEFAULTS, argon2Hasher } from '../src/hashing/argon2-hasher';
import { sqliteStore } from '../src/store/sqlite';
import { CLIENT_HEADER, makeTestApp } from './helpers/app';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

describe('login timing does not tell an unknown user from a wrong password', () => {
  it('has medians within 10 % of each other, interleaved in one run', async () => {
    // Limits far away, so every attempt takes the full path.
    const throttle = { ...THROTTLE_DEFAULTS, failuresPerClient: 10_000, accountFailuresPerHour: 10_000, clientLoginsPer10Min: 10_000 };
    // The service's own Argon2 parameters: what a caller would time.
    const t = await makeTestApp(sqliteStore({ file: ':memory:' }), { settings: { throttle }, hasher: argon2Hasher(ARGON2_DEFAULTS) });
    expect((await t.register('realuser')).status).toBe(201);

    const attempt = async (username: string, i: number) => {
      const started = performance.now();
      const res = await t.call('/login', { body: { username, password: `wrong password ${i}` }, headers: { [CLIENT_HEADER]: `203.0.113.${i % 200}` } });
      const elapsed = performance.now() - started;
      expect(res.status).toBe(401);
      return elapsed;
    };
    for (let i = 0; i < 6; i++) await attempt(i % 2 ? 'realuser' : `ghost${i}`, i);

    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 60; i++) {
      // Alternate which goes first, so neither always follows the other.
      if (i % 2) {
        unknown.push(await attempt(`ghost${i}`, i));
        wrong.push(await attempt('realuser', i));
      } else {
        wrong.push(await attempt('realuser', i));
        unknown.push(await attempt(`ghost${i}`, i));
      }
    }
    const [a, b] = [median(unknown), median(wrong)];
    const spread = Math.abs(a - b) / Math.max(a, b);
    expect(spread, `unknown ${a.toFixed(2)} ms, wrong password ${b.toFixed(2)} ms`).toBeLessThanOrEqual(0.1);
  });
});
