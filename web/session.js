// @ts-check
// Who is logged in, as this page knows it; views follow the changes.

/**
 * Who is logged in; `mfa` (two-step verification on or off) and the email fields when the answer
 * that named them said so (the two-step and email views ask for them).
 * @typedef {{ username: string, name: string, mfa?: import('../src/client/gatehouse-client.ts').MfaStatus, email?: string, emailVerified?: boolean }} User
 */

/** @type {User | null} */
let current = null;
/** @type {Set<(user: User | null) => void>} */
const listeners = new Set();

export const currentUser = () => current;

/** @param {User | null} user */
export function setUser(user) {
  current = user;
  for (const listener of listeners) listener(user);
}

/** @param {(user: User | null) => void} listener */
export function onUserChange(listener) {
  listeners.add(listener);
}

/** @type {{ user: User | null, profile: Promise<import('../src/client/gatehouse-client.ts').Profile> } | null} */
let asked = null;

/**
 * The profile of who is logged in, asked for once per login however many views want it; `fresh`
 * asks again (after a change the page made).
 * @param {import('./api.js').Api} api
 * @param {boolean} [fresh]
 */
export function loggedInProfile(api, fresh = false) {
  if (fresh || !asked || asked.user !== current) {
    const profile = api.client.profile();
    asked = { user: current, profile };
    // A failed answer is not kept: the next view asks again.
    profile.catch(() => {
      if (asked?.profile === profile) asked = null;
    });
  }
  return asked.profile;
}

/**
 * Asks the API who is logged in: GET /session answers 200 either way, so a logged-out visit shows
 * no failed request. From another origin without a stored token there is nobody to ask about.
 * @param {import('./api.js').Api} api
 * @returns {Promise<User | null>}
 */
export async function whoIsLoggedIn(api) {
  if (!api.sameOrigin && !api.token.get()) return null;
  const session = await api.client.currentSession();
  if (!session.authenticated) {
    api.token.clear();
    return null;
  }
  const { username, name, mfa, email, emailVerified } = session.user;
  return { username, name, mfa, ...(email ? { email } : {}), emailVerified };
}
