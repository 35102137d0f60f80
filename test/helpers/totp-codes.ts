import { totpCode } from '../../src/core/totp';

const STEP = 30_000;
const six = (n: number) => String(n).padStart(6, '0');

/**
 * Six digits that are no code of the secret two steps either side of `now`: wrong for a check
 * made then, even one a step later, whatever codes the secret happens to give. (A code of another
 * step would be one of the accepted codes three times in a million.)
 */
export function wrongTotpCode(secret: string, now: number): string {
  const near = [-2, -1, 0, 1, 2].map((d) => totpCode({ secret, now: now + d * STEP }));
  let n = Number(near[2]);
  while (near.includes(six(n))) n = (n + 1) % 1_000_000;
  return six(n);
}
