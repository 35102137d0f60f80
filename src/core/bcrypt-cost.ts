/**
 * The bcrypt hashes Gatehouse accepts from the tutorials' tables: `$2a$`, `$2b$` or `$2y$`, a cost
 * of 4 to 14, 53 characters of salt and hash. Below 4 the libraries refuse to verify (a throw),
 * and every step above 14 doubles the work of each login attempt; tutorials hash at 8 to 12.
 */
export const BCRYPT_MIN_COST = 4;
export const BCRYPT_MAX_COST = 14;

const BCRYPT = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/;

/** The cost of a well-formed bcrypt hash (in range or not), or undefined when it is not one. */
export function bcryptCost(hash: string): number | undefined {
  const match = BCRYPT.exec(hash);
  return match ? Number(match[1]) : undefined;
}

export const bcryptCostAccepted = (cost: number): boolean => cost >= BCRYPT_MIN_COST && cost <= BCRYPT_MAX_COST;
