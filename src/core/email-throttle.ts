import type { Key, Store } from '../store/store';
import type { Clock } from './clock';
import { admitInWindow, countInWindow, HOUR, TEN_MINUTES, UNKNOWN_CLIENT } from './throttle';

/** How much mail the flows of email-*.ts may cause; both configurable. */
export interface EmailLimits {
  /** Mails one account may be sent in an hour (AUTH_EMAIL_REQUESTS_PER_ACCOUNT_PER_HOUR). */
  readonly perAccountPerHour: number;
  /** Mail-sending requests one client may make in 10 minutes (AUTH_CLIENT_EMAIL_REQUESTS_PER_10_MIN). */
  readonly perClientPer10Min: number;
}

export const EMAIL_LIMIT_DEFAULTS: EmailLimits = { perAccountPerHour: 5, perClientPer10Min: 30 };

const clientCount = (client: string): Key => ({ pk: `THROTTLE#client#email#${client}`, sk: 'count' });
const nameCount = (name: string): Key => ({ pk: `THROTTLE#mail#${name}`, sk: 'count' });

/**
 * Limits on mail, kept in the store like the login limits (throttle.ts): one atomic count per
 * request in a fixed window. A name is counted whether or not an account goes by it, so a limit
 * answers alike for every name.
 */
export interface EmailThrottle {
  /** Counts a mail-sending request of this client; rate_limited past its cap. Skipped for an unknown client. */
  admitClient(client: string): Promise<void>;
  /**
   * Counts a mail for this name: an account (`user:<username>`), or a name typed into the
   * forgotten-password form (`forgot:username:<name>`, `forgot:email:<address>`); rate_limited past the hourly cap.
   */
  admitName(name: string): Promise<void>;
  /** Like admitName, but answers false instead of throwing: for work done after the answer went. */
  allowName(name: string): Promise<boolean>;
}

export function createEmailThrottle(store: Store, clock: Clock, limits: EmailLimits): EmailThrottle {
  return {
    async admitClient(client) {
      if (client !== UNKNOWN_CLIENT) await admitInWindow(store, clock, clientCount(client), TEN_MINUTES, limits.perClientPer10Min);
    },
    admitName: (name) => admitInWindow(store, clock, nameCount(name), HOUR, limits.perAccountPerHour),
    async allowName(name) {
      return !(await countInWindow(store, clock, nameCount(name), HOUR, limits.perAccountPerHour)).over;
    },
  };
}

/** The name an account's own mail is counted under. */
export const accountMailName = (username: string) => `user:${username}`;
