import type { Answer } from './openapi-operations';
import * as res from './responses';

/** A refusal in the shared error shape, with its example. */
export const errorAnswer = (description: string, message: string, code: string): Answer => ({
  description,
  schema: res.errorResponse,
  example: { message, code },
});

/** The answer of every protected operation to a request without a valid token: described once. */
export const UNAUTHENTICATED: Answer = {
  ...errorAnswer('No valid token, or its session has ended', 'User is not authenticated', 'session_revoked'),
  component: 'Unauthenticated',
};
