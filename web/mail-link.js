// @ts-check
// Links in mail carry their token in the URL fragment (`#verify=…`, `#reset=…`), which a browser
// never sends to a server, so it reaches no log and no Referer. The page reads it once, then takes
// it out of the address bar and the history entry, so it is not left on screen, in a bookmark or
// in the back button.

/** @typedef {{ kind: 'verify' | 'reset', token: string }} MailLink */

/** @returns {MailLink | null} the link this page was opened with, if any (once) */
export function takeMailLink() {
  const match = /^#(verify|reset)=([^&#]+)$/.exec(location.hash);
  if (!match) return null;
  history.replaceState(history.state, '', location.pathname + location.search);
  const raw = match[2] ?? '';
  let token = raw;
  try {
    token = decodeURIComponent(raw);
  } catch {
    // kept as it came; the API says whether it is a token
  }
  return { kind: match[1] === 'reset' ? 'reset' : 'verify', token };
}

/**
 * The username a link's token names (its first part, base64url), to fill in the log-in form.
 * @param {string} token
 */
export function usernameOf(token) {
  try {
    const name = atob((token.split('.')[0] ?? '').replace(/-/g, '+').replace(/_/g, '/'));
    return /^[a-z0-9._-]{3,64}$/.test(name) ? name : '';
  } catch {
    return '';
  }
}
