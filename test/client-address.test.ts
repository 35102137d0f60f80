import type { Context } from 'hono';
import { describe, expect, it } from 'vitest';
import { lambdaClientAddress } from '../src/entry/client-address';
import type { AppEnv } from '../src/http/context';

/** What hono/aws-lambda and the mapping-template handler hand the app as its environment. */
const onLambda = (env: Record<string, unknown>) => lambdaClientAddress({ env } as unknown as Context<AppEnv>);

describe('the client address on Lambda', () => {
  it.each([
    ['an HTTP API source address', { event: { requestContext: { http: { sourceIp: '198.51.100.7' } } } }, '198.51.100.7'],
    ['a REST API source address', { event: { requestContext: { identity: { sourceIp: '2001:db8::7' } } } }, '2001:db8::7'],
    ['a mapping template that passes sourceIp', { sourceIp: '203.0.113.9' }, '203.0.113.9'],
    ['"unknown"', { sourceIp: 'unknown' }, undefined],
    ["the console's test invocation", { event: { requestContext: { identity: { sourceIp: 'test-invoke-source-ip' } } } }, undefined],
    ['a list of addresses', { event: { requestContext: { http: { sourceIp: '198.51.100.7, 10.0.0.1' } } } }, undefined],
    ['an address with a port', { sourceIp: '198.51.100.7:443' }, undefined],
    ['an empty field', { sourceIp: '' }, undefined],
    ['nothing at all', {}, undefined],
  ])('takes only an IP address: %s', (_label, env, address) => {
    expect(onLambda(env)).toBe(address);
  });
});
