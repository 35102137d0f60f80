import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './server';

type Json = Record<string, any>;

/** A fixture shaped like AWS's documented sample event, with __TOKEN__ replaced. */
export function fixture(name: string, token = ''): Json {
  const text = readFileSync(join(ROOT, 'test', 'fixtures', 'aws', `${name}.json`), 'utf8');
  return JSON.parse(text.replaceAll('__TOKEN__', token)) as Json;
}

const withoutLength = (headers: Json) => Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'content-length'));

/** A REST API (v1 proxy) event for any route, built from the documented POST sample. */
export function restEvent(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Json {
  const event = fixture('rest-v1-proxy-post');
  const headers = { ...withoutLength(event.headers), ...extraHeaders };
  return {
    ...event,
    resource: path,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    body: body === undefined ? null : JSON.stringify(body),
    requestContext: { ...event.requestContext, path: `/prod${path}`, resourcePath: path, httpMethod: method },
  };
}

/** An HTTP API (payload 2.0) event for any route, built from the documented sample. */
export function httpApiEvent(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}, cookies?: string[]): Json {
  const event = fixture('http-v2-post');
  const routeKey = `${method} ${path}`;
  const result: Json = {
    ...event,
    routeKey,
    rawPath: path,
    headers: { ...withoutLength(event.headers), ...extraHeaders },
    requestContext: { ...event.requestContext, routeKey, http: { ...event.requestContext.http, method, path } },
    ...(cookies ? { cookies } : {}),
  };
  if (body === undefined) delete result.body;
  else result.body = JSON.stringify(body);
  return result;
}

/** A Lambda function URL event for any route, built from the documented sample. */
export function functionUrlEvent(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Json {
  const event = fixture('function-url-post');
  const result: Json = {
    ...event,
    rawPath: path,
    headers: { ...withoutLength(event.headers), ...extraHeaders },
    requestContext: { ...event.requestContext, http: { ...event.requestContext.http, method, path } },
  };
  if (body === undefined) delete result.body;
  else result.body = JSON.stringify(body);
  return result;
}

/** The Lambda context object handlers receive. */
export function lambdaContext(requestId = 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef'): Json {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'gatehouse-api',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:gatehouse-api',
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/gatehouse-api',
    logStreamName: '2025/01/15/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 10_000,
    done() {},
    fail() {},
    succeed() {},
  };
}
