import { curlCommand, guide } from './openapi-guide';
import { type Answer, answersOf, OPERATIONS, type Operation } from './openapi-operations';
import { componentSchemas, refOf } from './openapi-schemas';
import { gatewayPath } from './routes';
import { cookieSettings } from './token-sources';

/** Who may call: `{}` is OpenAPI's "no credentials", for a token that comes in the body. */
const SECURITY = {
  public: [],
  required: [{ bearer: [] }, { cookie: [] }],
  optional: [{ bearer: [] }, { cookie: [] }, {}],
} as const;

const operationId = (op: Operation) =>
  `${op.method.toLowerCase()}${op.path.replace(/[^a-z]+(.)?/gi, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`;

const content = (answer: Answer) => ({
  'application/json': { schema: refOf(answer.schema), ...(answer.example === undefined ? {} : { example: answer.example }) },
});

/** An answer as the document gives it: a `$ref` to the shared one, or written out with a `$ref` to its schema. */
const response = (answer: Answer) =>
  answer.component ? { $ref: `#/components/responses/${answer.component}` } : { description: answer.description, content: content(answer) };

function describe(op: Operation, issuer: string): Record<string, unknown> {
  const params = Object.entries(op.params ?? {});
  return {
    tags: [op.tag],
    summary: op.summary,
    operationId: operationId(op),
    ...(params.length ? { parameters: params.map(([name, example]) => ({ name, in: 'path', required: true, schema: { type: 'string' }, example })) } : {}),
    security: SECURITY[op.auth ?? 'public'],
    ...(op.body
      ? { requestBody: { required: op.auth !== 'optional', content: { 'application/json': { schema: refOf(op.body.schema), example: op.body.example } } } }
      : {}),
    responses: Object.fromEntries(Object.entries(answersOf(op)).map(([status, answer]) => [status, response(answer)])),
    'x-codeSamples': [{ lang: 'Shell', label: 'curl', source: curlCommand(issuer, op) }],
  };
}

/** The OpenAPI 3.1 description of the API, generated from the same schemas that validate requests. */
export function openApiDocument(issuer: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const shared: Record<string, unknown> = {};
  for (const op of OPERATIONS) {
    const path = gatewayPath(op.path);
    paths[path] ??= {};
    paths[path][op.method.toLowerCase()] = describe(op, issuer);
    for (const answer of Object.values(answersOf(op))) {
      if (answer.component) shared[answer.component] ??= { description: answer.description, content: content(answer) };
    }
  }
  const cookie = cookieSettings(issuer).name;
  return {
    openapi: '3.1.0',
    info: { title: 'Gatehouse', version: '0.1.0', description: guide(cookie) },
    servers: [{ url: issuer }],
    components: {
      schemas: componentSchemas(),
      responses: shared,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The access token from /login or /token/refresh' },
        cookie: { type: 'apiKey', in: 'cookie', name: cookie, description: 'The HttpOnly session cookie /login sets' },
      },
    },
    paths,
  };
}
