import { beforeEach, describe, expect, it } from 'vitest';
import { MESSAGES_PK } from '../src/core/records';
import { bearer, makeTestApp, type TestApp } from './helpers/app';
import { storeFactories } from './helpers/stores';

describe.each(storeFactories)('the message board on $name', (factory) => {
  let t: TestApp;
  let alice: { token: string; cookie: string };
  beforeEach(async () => {
    t = await makeTestApp((now) => factory.make(now));
    await t.register('alice');
    alice = await t.login('alice');
  });
  const post = (text: unknown, headers: Record<string, string> = bearer(alice.token)) => t.call('/messages', { body: { text }, headers });

  it('starts empty', async () => {
    const res = await t.call('/messages');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ messages: [] });
  });

  it("posts as the token's user, whatever the body claims, and shows it to anyone", async () => {
    const res = await t.call('/messages', { body: { text: '  Hello, board!  ', author: 'bob' }, headers: bearer(alice.token) });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toEqual({
      message: 'Message posted',
      item: { id: expect.any(String), author: 'alice', text: 'Hello, board!', createdAt: new Date(t.clock.now()).toISOString() },
    });
    const list = await (await t.call('/messages')).json();
    expect(list.messages).toEqual([body.item]);
    expect((await t.store.list(MESSAGES_PK)).map((item) => item.data)).toEqual([body.item]);
  });

  it('answers the 20 latest, newest first', async () => {
    for (let i = 1; i <= 25; i++) {
      expect((await post(`message ${i}`)).status).toBe(201);
      t.clock.advance(1000);
    }
    const { messages } = await (await t.call('/messages')).json();
    expect(messages.map((m: { text: string }) => m.text)).toEqual(Array.from({ length: 20 }, (_, i) => `message ${25 - i}`));
  });

  it('accepts a cookie from the same origin, and refuses it from a foreign page', async () => {
    expect((await post('by cookie', { cookie: alice.cookie, origin: 'http://localhost:3000' })).status).toBe(201);
    const foreign = await post('forged', { cookie: alice.cookie, origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect((await foreign.json()).code).toBe('forbidden_origin');
    expect((await (await t.call('/messages')).json()).messages.map((m: { text: string }) => m.text)).toEqual(['by cookie']);
  });

  it('judges a cookie write without Origin by its Referer, and refuses one that carries neither', async () => {
    const forged: Record<string, string>[] = [
      { referer: 'http://evil.example/x' },
      {},
      { referer: 'not a url' },
      { origin: 'http://evil.example', referer: 'http://localhost:3000/' },
    ];
    for (const headers of forged) {
      const refused = await post('forged', { cookie: alice.cookie, ...headers });
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual({ message: expect.any(String), code: 'forbidden_origin' });
    }
    expect((await post('from our page', { cookie: alice.cookie, referer: 'http://localhost:3000/index.html' })).status).toBe(201);
    t.clock.advance(1000);
    // A bearer token is sent on purpose: it needs neither header.
    expect((await post('by bearer')).status).toBe(201);
    expect((await (await t.call('/messages')).json()).messages.map((m: { text: string }) => m.text)).toEqual(['by bearer', 'from our page']);
  });

  it.each([
    ['no token', {}, 'missing_token'],
    ['a bad token', bearer('garbage'), 'invalid_token'],
  ])('refuses a post with %s: 401', async (_label, headers, code) => {
    const res = await post('nope', headers as Record<string, string>);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: expect.any(String), code });
    expect((await (await t.call('/messages')).json()).messages).toEqual([]);
  });

  it('refuses a post after logout, at once', async () => {
    expect((await t.call('/logout', { method: 'POST', headers: bearer(alice.token) })).status).toBe(200);
    const res = await post('too late');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: 'User is not authenticated', code: 'session_revoked' });
  });

  it.each([
    ['missing text', undefined, 'missing_field', 'text is required'],
    ['blank text', '   ', 'invalid_field', 'text must be 1–500 characters'],
    ['501 characters', 'x'.repeat(501), 'invalid_field', 'text must be 1–500 characters'],
    ['a control character', 'bell\u0007', 'invalid_field', 'text must be 1–500 characters'],
    ['a bidi override', 'abc\u202edcba', 'invalid_field', 'text must be 1–500 characters'],
    ['a number', 42, 'invalid_field', 'text must be a string'],
  ])('refuses %s with 400 and stores nothing', async (_label, text, code, message) => {
    const res = await post(text);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message, code, field: 'text' });
    expect(await t.store.list(MESSAGES_PK)).toEqual([]);
  });

  it('counts characters, not bytes: 500 emoji are fine, line breaks too', async () => {
    expect((await post('🙂'.repeat(500))).status).toBe(201);
    expect((await post('line one\nline two')).status).toBe(201);
  });
});
