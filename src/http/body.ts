import type { Context } from 'hono';
import * as z from 'zod/mini';
import { AuthError } from '../core/errors';
import type { AppEnv } from './context';

/**
 * Set by a runtime on its request when its quick path already met an error (a wrong password, a
 * store or key service that did not answer): the app answers it as its own instead of doing the
 * work again, so every login is counted once and a hung store costs one wait, not two.
 */
export const EARLIER_FAILURE = Symbol('gatehouse.failure');

/**
 * What a quick path rejects with: its error, and when the request began and the id it was given,
 * so the app's answer and request log line are the request's whole (its time includes the wait).
 */
export class EarlierFailure extends Error {
  override readonly name = 'EarlierFailure';
  constructor(
    readonly error: unknown,
    readonly started: number,
    readonly requestId?: string,
  ) {
    super('a quick path failed', { cause: error });
  }

  /** What a quick path threw, as a failure that began at `started`. */
  static of(error: unknown, started: number, requestId?: string): EarlierFailure {
    return error instanceof EarlierFailure ? error : new EarlierFailure(error, started, requestId);
  }

  /** The work's own failure, as one that began at `started`. */
  static async from<T>(work: Promise<T>, started: number, requestId?: string): Promise<T> {
    try {
      return await work;
    } catch (error) {
      throw EarlierFailure.of(error, started, requestId);
    }
  }
}

/**
 * The failure a runtime's quick path kept on this request, if any: on Node's request (the Node
 * server's `env.incoming`) or on Lambda's event (`env.event`). Read here, by the app itself, so no
 * runtime can leave it unread and have a failed login done twice.
 */
export function earlierFailure(c: Context<AppEnv>): EarlierFailure | undefined {
  const env = c.env as { incoming?: { [EARLIER_FAILURE]?: EarlierFailure }; event?: { [EARLIER_FAILURE]?: EarlierFailure } } | undefined;
  return env?.incoming?.[EARLIER_FAILURE] ?? env?.event?.[EARLIER_FAILURE];
}

/**
 * Reads the request body as text, refusing more than `limit` bytes (AuthError payload_too_large).
 * Runtimes with a faster way than building a Web Request (Node's own request stream) pass theirs.
 */
export type BodyReader = (c: Context<AppEnv>, limit: number) => Promise<string>;

/** Reads a Web Request's body stream, stopping as soon as it passes the limit. */
export const readWebBody: BodyReader = async (c, limit) => {
  const declared = Number(c.req.header('content-length') ?? 0);
  if (declared > limit) throw new AuthError('payload_too_large');
  const body = c.req.raw.body;
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new AuthError('payload_too_large');
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(all);
};

export const BODY_LIMIT = 16 * 1024;

/** A body's text as a JSON object: an empty body reads as {}; undefined for anything that is not an object. */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The request body as a JSON object. An empty body reads as {}; anything else non-object is a 400. */
export async function jsonObject(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  const value = parseJsonObject(await c.get('readBody')());
  if (!value) throw new AuthError('invalid_json');
  return value;
}

/** Validates with zod; the first problem becomes a 400 naming its field. */
export async function parseBody<S extends z.ZodMiniType>(c: Context<AppEnv>, schema: S): Promise<z.output<S>> {
  const body = await jsonObject(c);
  const result = z.safeParse(schema, body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = String(issue.path[0] ?? 'body');
  if (issue.code === 'invalid_type' && body[field] === undefined) {
    throw new AuthError('missing_field', `${field} is required`, field);
  }
  if (issue.code === 'invalid_type') throw new AuthError('invalid_field', `${field} must be a ${issue.expected}`, field);
  if (issue.code === 'too_big') {
    const message = issue.message.startsWith(field) ? issue.message : `${field} must be at most ${issue.maximum} characters`;
    throw new AuthError('invalid_field', message, field);
  }
  if (issue.code === 'too_small') throw new AuthError('missing_field', `${field} is required`, field);
  throw new AuthError('invalid_field', `${field} is invalid`, field);
}
