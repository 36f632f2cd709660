import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LmdbKvStore } from '../platform/adapters/lmdb-kv';
import { SqliteKvStore } from '../platform/adapters/sqlite-kv';
import { StorageError, ValidationError } from '../platform/errors';
import type { KvOp } from '../platform/ports/kv-store';
import { kvStoreContract } from './contracts/kv-store-contract';

const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'picsearch-kv-'));

kvStoreContract('LmdbKvStore', async () => {
  const dir = await tempDir();
  const store = LmdbKvStore.open({ path: dir });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

kvStoreContract('SqliteKvStore', async () => {
  const dir = await tempDir();
  const store = SqliteKvStore.open({ path: path.join(dir, 'kv.sqlite') });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

const fieldsOf = (err: unknown): string[] =>
  err instanceof ValidationError ? err.issues.map((i) => i.field) : [];

function syncError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('LmdbKvStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps data across close and reopen', async () => {
    const first = LmdbKvStore.open({ path: dir });
    await first.batch([
      { type: 'put', table: 'pages', key: 'tag:cats', value: { ids: [3, 2, 1], cursor: 'c1' } },
      { type: 'put', table: 'pages', key: 'tag:dogs', value: { ids: [], cursor: null } },
      { type: 'put', table: 'checkpoints', key: 'consumer', value: { offset: 42 } },
    ]);
    await first.close();
    const second = LmdbKvStore.open({ path: dir });
    try {
      expect(await second.get('pages', 'tag:cats')).toEqual({ ids: [3, 2, 1], cursor: 'c1' });
      expect(await second.get('checkpoints', 'consumer')).toEqual({ offset: 42 });
      expect(await second.count('pages')).toBe(2);
    } finally {
      await second.close();
    }
  });

  it('has a batch readable by a second store instance once it resolved', async () => {
    const writer = LmdbKvStore.open({ path: dir });
    const ops: KvOp[] = Array.from({ length: 500 }, (_, i) => ({
      type: 'put',
      table: 'state',
      key: `k${i}`,
      value: { i },
    }));
    ops.push({ type: 'put', table: 'checkpoints', key: 'consumer', value: { offset: 500 } });
    await writer.batch(ops);
    await writer.close();
    const reader = LmdbKvStore.open({ path: dir });
    try {
      expect(await reader.get('checkpoints', 'consumer')).toEqual({ offset: 500 });
      expect(await reader.count('state')).toBe(500);
      expect(await reader.get('state', 'k499')).toEqual({ i: 499 });
    } finally {
      await reader.close();
    }
  });

  it('has a batch on disk once it resolved, even if the process is killed right after', async () => {
    const adapter = path.resolve(__dirname, '../platform/adapters/lmdb-kv');
    const script = path.join(dir, 'writer.ts');
    await writeFile(
      script,
      [
        `import { LmdbKvStore } from ${JSON.stringify(adapter)};`,
        `const store = LmdbKvStore.open({ path: ${JSON.stringify(path.join(dir, 'db'))} });`,
        `const ops = Array.from({ length: 1000 }, (_, i) => ({ type: 'put' as const, table: 'state', key: 'k' + i, value: i }));`,
        `ops.push({ type: 'put' as const, table: 'checkpoints', key: 'consumer', value: 1000 });`,
        `store.batch(ops).then(() => { process.stdout.write('committed\\n'); setInterval(() => undefined, 1000); });`,
      ].join('\n'),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: path.resolve(__dirname, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.on('exit', (code, signal) => resolve(signal ?? code)),
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('committed')) resolve();
      });
      void exited.then(() => reject(new Error(`writer exited before committing: ${stderr}`)));
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const reader = LmdbKvStore.open({ path: path.join(dir, 'db') });
    try {
      expect(await reader.get('checkpoints', 'consumer')).toBe(1000);
      expect(await reader.count('state')).toBe(1000);
    } finally {
      await reader.close();
    }
  });

  it('accepts keys up to 1978 UTF-8 bytes and rejects longer ones', async () => {
    const store = LmdbKvStore.open({ path: dir });
    try {
      const longest = 'é'.repeat(989); // 1978 bytes
      const tooLong = `${longest}a`; // 1979 bytes, only 990 UTF-16 units
      await store.batch([{ type: 'put', table: 't', key: longest, value: 1 }]);
      expect(await store.get('t', longest)).toBe(1);
      expect(fieldsOf(await store.get('t', tooLong).catch((e: unknown) => e))).toEqual(['key']);
      expect(fieldsOf(syncError(() => store.getSync('t', tooLong)))).toEqual(['key']);
      const failure = await store
        .batch([
          { type: 'put', table: 't', key: 'ok', value: 1 },
          { type: 'put', table: 't', key: 'x'.repeat(1979), value: 1 },
        ])
        .catch((e: unknown) => e);
      expect(fieldsOf(failure)).toEqual(['[1].key']);
      expect(await store.get('t', 'ok')).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('validates table names', async () => {
    const store = LmdbKvStore.open({ path: dir });
    try {
      for (const bad of ['', 'A', 'a-b', 'a.b', 'é', 'x'.repeat(49)]) {
        expect([bad, fieldsOf(syncError(() => store.getSync(bad, 'k')))]).toEqual([bad, ['table']]);
      }
      await store.batch([{ type: 'put', table: `a_0${'z'.repeat(45)}`, key: 'k', value: 1 }]);
      expect(store.getSync(`a_0${'z'.repeat(45)}`, 'k')).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('getSync reads what get reads', async () => {
    const store = LmdbKvStore.open({ path: dir });
    try {
      await store.batch([{ type: 'put', table: 'pages', key: 'tag:a', value: { n: [1, 2] } }]);
      expect(store.getSync('pages', 'tag:a')).toEqual({ n: [1, 2] });
      expect(store.getSync('pages', 'tag:b')).toBeUndefined();
      expect(store.getSync('unwritten', 'tag:a')).toBeUndefined();
      expect(fieldsOf(syncError(() => store.getSync('pages', '')))).toEqual(['key']);
    } finally {
      await store.close();
    }
  });

  it('returns buffers that later reads do not overwrite', async () => {
    const store = LmdbKvStore.open({ path: dir });
    try {
      const ops: KvOp[] = Array.from({ length: 200 }, (_, i) => ({
        type: 'put',
        table: 'bin',
        key: `k${i}`,
        value: { blob: Buffer.alloc(64, i) },
      }));
      await store.batch(ops);
      const first = store.getSync<{ blob: Buffer }>('bin', 'k0')!.blob;
      for (let i = 1; i < 200; i++) store.getSync('bin', `k${i}`);
      await store.getMany('bin', ['k5', 'k6']);
      expect(first.equals(Buffer.alloc(64, 0))).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('works with noSync and an explicit map size', async () => {
    const store = LmdbKvStore.open({ path: dir, noSync: true, mapSize: 64 * 1024 * 1024 });
    try {
      await store.batch([{ type: 'put', table: 't', key: 'k', value: 'v' }]);
      expect(await store.get('t', 'k')).toBe('v');
    } finally {
      await store.close();
    }
  });

  it('refuses use after close, and closing twice is harmless', async () => {
    const store = LmdbKvStore.open({ path: dir });
    await store.close();
    await store.close();
    const closed = (err: unknown) => err instanceof StorageError && err.code === 'KV_CLOSED';
    expect(closed(await store.get('t', 'k').catch((e: unknown) => e))).toBe(true);
    expect(closed(await store.batch([]).catch((e: unknown) => e))).toBe(true);
    expect(closed(syncError(() => store.getSync('t', 'k')))).toBe(true);
  });
});

describe('SqliteKvStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps data across close and reopen', async () => {
    const file = path.join(dir, 'nested', 'kv.sqlite');
    const first = SqliteKvStore.open({ path: file });
    await first.batch([{ type: 'put', table: 'pages', key: 'tag:cats', value: { ids: [1] } }]);
    await first.close();
    const second = SqliteKvStore.open({ path: file, synchronous: 'NORMAL' });
    try {
      expect(await second.get('pages', 'tag:cats')).toEqual({ ids: [1] });
      expect(second.getSync('pages', 'tag:cats')).toEqual({ ids: [1] });
    } finally {
      await second.close();
    }
  });

  it('rejects an unknown synchronous mode', () => {
    const err = syncError(() =>
      SqliteKvStore.open({ path: path.join(dir, 'kv.sqlite'), synchronous: 'EXTRA' as 'FULL' }),
    );
    expect(fieldsOf(err)).toEqual(['synchronous']);
  });
});
