import type { Store } from '../store/store';
import type { Clock } from './clock';
import { AuthError } from './errors';
import { MESSAGES_PK, type MessageRecord, messageKey, userMessageKey } from './records';
import { randomToken } from './token-crypto';

export const MESSAGE_MAX = 500;
export const BOARD_SIZE = 20;
export const MESSAGE_RULE = `text must be 1–${MESSAGE_MAX} characters`;

// Control characters other than line breaks and tabs, and bidirectional overrides, are refused.
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;

export interface Message {
  readonly id: string;
  readonly author: string;
  readonly text: string;
  readonly createdAt: string;
}

const toMessage = ({ id, author, text, createdAt }: MessageRecord): Message => ({ id, author, text, createdAt });

/** The newest messages first. */
export async function latestMessages(store: Store, limit = BOARD_SIZE): Promise<Message[]> {
  const items = await store.list<MessageRecord>(MESSAGES_PK, { reverse: true, limit });
  return items.map((item) => toMessage(item.data));
}

/** Posts as `author`, who has already been authenticated; the text is normalised (NFC) and trimmed. */
export async function postMessage(store: Store, clock: Clock, author: string, rawText: string): Promise<Message> {
  const text = rawText.normalize('NFC').trim();
  const length = [...text].length;
  if (length < 1 || length > MESSAGE_MAX || FORBIDDEN.test(text)) throw new AuthError('invalid_field', MESSAGE_RULE, 'text');
  const now = clock.now();
  const record: MessageRecord = { id: randomToken(12), author, text, createdAt: new Date(now).toISOString() };
  const key = messageKey(now, record.id);
  // The message on the board, and a pointer to it under its author: both or neither.
  await store.transact([
    { type: 'create', item: { ...key, data: record } },
    { type: 'create', item: { ...userMessageKey(author, key.sk), data: { sk: key.sk } } },
  ]);
  return toMessage(record);
}
