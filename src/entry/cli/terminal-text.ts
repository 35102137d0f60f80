/**
 * Text that others chose (names in a tutorial table, user agents, messages from a service) made
 * safe to print on a terminal: escape sequences, control characters (C0, C1, DEL), bidi overrides
 * and other invisible format characters, and line or paragraph separators are removed, so the text
 * can neither drive the terminal, nor hide or reorder what is shown, nor pass for a line of its own.
 */

// CSI (ESC [ or U+009B … final byte), OSC (ESC ] or U+009D … BEL or ST), and two-character escapes.
const ESCAPE_SEQUENCE = /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]|(?:\u001b\]|\u009d)[^\u0007\u001b\u009c]*(?:\u0007|\u009c|\u001b\\)?|\u001b[ -Z\\-~]?/g;
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/** One line's worth of someone else's text, with nothing a terminal would act on. */
export const terminalSafe = (text: string): string => text.replace(ESCAPE_SEQUENCE, '').replace(INVISIBLE, '');

/** Output of several lines: each line made safe, the line breaks between them kept. */
export const terminalLines = (text: string): string => text.split('\n').map(terminalSafe).join('\n');
