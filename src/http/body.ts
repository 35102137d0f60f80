import type { Context } from 'hono';
import * as z from 'zod/mini';
import { AuthError } from '../core/errors';
import type { Env } from './app';

/** The request body as a JSON object. An empty body reads as {}; anything else non-object is a 400. */
export async function jsonObject(c: Context<Env>): Promise<Record<string, unknown>> {
  const text = await c.get('readBody')();
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AuthError('invalid_json');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AuthError('invalid_json');
  return value as Record<string, unknown>;
}

/** Validates with zod; the first problem becomes a 400 naming its field. */
export async function parseBody<S extends z.ZodMiniType>(c: Context<Env>, schema: S): Promise<z.output<S>> {
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
