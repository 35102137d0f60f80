import * as z from 'zod/mini';
import { answersOf, OPERATIONS, type Operation } from '../../src/http/openapi-operations';

const pattern = (path: string) => new RegExp(`^${path.replace(/:\w+/g, '[^/]+').replace(/\./g, '\\.')}$`);
const matchers = OPERATIONS.map((op) => ({ op, re: pattern(op.path) }));

export function operationFor(method: string, path: string): Operation | undefined {
  const bare = path.split('?')[0]!;
  return matchers.find((m) => m.op.method === method && m.re.test(bare))?.op;
}

/**
 * Holds a response to what the OpenAPI description promises for its operation and status:
 * throws (failing the test) when the status is not described or the body does not match.
 */
export async function checkConformance(method: string, path: string, res: Response): Promise<void> {
  const op = operationFor(method, path);
  if (!op || !(res.headers.get('content-type') ?? '').includes('application/json')) return;
  const answers = answersOf(op);
  const answer = answers[String(res.status)] ?? answers[`${String(res.status)[0]}XX`];
  if (!answer) throw new Error(`${method} ${path} answered ${res.status}, which the API description does not list`);
  const body = await res.clone().json();
  const result = z.safeParse(answer.schema, body);
  if (!result.success) {
    throw new Error(`${method} ${path} ${res.status} does not match its described schema: ${JSON.stringify(result.error.issues)}\n${JSON.stringify(body)}`);
  }
}
