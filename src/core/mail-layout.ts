/**
 * One mail draft → its plain-text and HTML parts. Every piece of text is escaped here and only
 * here; the HTML has inline styles only: no images, no remote resources, no tracking.
 */

export interface Link {
  readonly url: string;
}

/** A paragraph: plain text, or text with links in it. */
export type Paragraph = string | readonly (string | Link)[];

export interface Draft {
  readonly subject: string;
  /** The person's name for the greeting; "Hello," without one. */
  readonly name?: string | undefined;
  readonly before: readonly Paragraph[];
  /** The one thing to do, as a button (HTML) and the bare link (both parts). */
  readonly action?: { readonly label: string; readonly url: string } | undefined;
  readonly after: readonly Paragraph[];
  /** The signature: the app's name. */
  readonly signature: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);

// Line breaks, other control characters and bidirectional overrides cannot reshape the mail.
const UNSAFE = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g;
const NAME_MAX = 64;

/** A user-chosen name made safe to show in one line: controls removed, at most 64 characters. */
export function displayName(name: string | undefined): string | undefined {
  const clean = name?.replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim();
  if (!clean) return undefined;
  const chars = [...clean];
  return chars.length > NAME_MAX ? `${chars.slice(0, NAME_MAX - 1).join('')}…` : clean;
}

const segments = (paragraph: Paragraph): readonly (string | Link)[] => (typeof paragraph === 'string' ? [paragraph] : paragraph);

const textOf = (paragraph: Paragraph): string =>
  segments(paragraph)
    .map((part) => (typeof part === 'string' ? part : part.url))
    .join('');

const LINK_STYLE = 'color:#1d4ed8;';

const htmlOf = (paragraph: Paragraph): string =>
  segments(paragraph)
    .map((part) => (typeof part === 'string' ? escapeHtml(part) : `<a href="${escapeHtml(part.url)}" style="${LINK_STYLE}">${escapeHtml(part.url)}</a>`))
    .join('');

function greeting(draft: Draft): string {
  const name = displayName(draft.name);
  return name ? `Hello ${name},` : 'Hello,';
}

export function renderText(draft: Draft): string {
  const blocks = [greeting(draft), ...draft.before.map(textOf)];
  if (draft.action) blocks.push(draft.action.url);
  blocks.push(...draft.after.map(textOf), `— ${draft.signature}`);
  return `${blocks.join('\n\n')}\n`;
}

const P = '<p style="margin:0 0 16px;line-height:1.5;">';
const BUTTON = 'display:inline-block;padding:10px 18px;background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:600;';

export function renderHtml(draft: Draft): string {
  const body: string[] = [`${P}${escapeHtml(greeting(draft))}</p>`, ...draft.before.map((p) => `${P}${htmlOf(p)}</p>`)];
  if (draft.action) {
    const href = escapeHtml(draft.action.url);
    body.push(
      `${P}<a href="${href}" style="${BUTTON}">${escapeHtml(draft.action.label)}</a></p>`,
      `<p style="margin:0 0 16px;line-height:1.5;font-size:13px;color:#555555;">Or copy this link into your browser:<br><span style="word-break:break-all;">${href}</span></p>`,
    );
  }
  body.push(...draft.after.map((p) => `${P}${htmlOf(p)}</p>`), `${P}— ${escapeHtml(draft.signature)}</p>`);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">',
    `<title>${escapeHtml(draft.subject)}</title></head>`,
    '<body style="margin:0;padding:24px;background:#f4f4f5;color:#18181b;font-family:system-ui,-apple-system,\'Segoe UI\',Roboto,sans-serif;font-size:15px;">',
    '<div style="max-width:560px;margin:0 auto;padding:24px;background:#ffffff;border-radius:8px;">',
    ...body,
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
