import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { runStoreContract } from '../src/store/contract';
import { sqliteStore } from '../src/store/sqlite';

runStoreContract('sqlite :memory:', ({ now }) => sqliteStore({ file: ':memory:', now }));

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
runStoreContract('sqlite file', ({ now }) => sqliteStore({ file: join(dir, 'nested', 'auth.db'), now, sweepEvery: 7 }));
