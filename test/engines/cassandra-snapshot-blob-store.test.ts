import { createHash, randomBytes } from 'node:crypto';
import { types, type Client } from 'cassandra-driver';
import { CassandraSnapshotBlobStore } from '../../platform/adapters/cassandra-kv';
import { ValidationError } from '../../platform/errors';
import { pollUntil } from '../support/poll';
import { failureOf, useKeyspace } from './support/cassandra-keyspace';

let admin: Client;
const { keyspace, base } = useKeyspace('kv_snapshots', (opened) => ({ admin } = opened));

describe('CassandraSnapshotBlobStore', () => {
  let snapshots: CassandraSnapshotBlobStore;
  beforeAll(async () => {
    snapshots = await CassandraSnapshotBlobStore.connect({ ...base, createSchema: true });
  });
  afterAll(async () => {
    await snapshots?.close();
  });
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

  it('round-trips a 5 MiB buffer in 1 MiB chunks with its meta', async () => {
    const blob = randomBytes(5 * 2 ** 20 + 17);
    const info = await snapshots.putSnapshot('postings', blob, { position: { p0: 42 }, lists: 7 });
    expect(info).toMatchObject({
      chunkCount: 6,
      chunkBytes: 2 ** 20,
      totalBytes: blob.length,
      sha256: sha(blob),
    });
    const rs = await admin.execute(
      `SELECT chunk, bytes FROM "${keyspace}".bitmap_snapshots WHERE snapshot_id = ? AND chunk IN ?`,
      [types.TimeUuid.fromString(info.snapshotId), [0, 1, 2, 3, 4, 5, 6]],
      { prepare: true },
    );
    expect(rs.rows.map((r) => (r.bytes as Buffer).length)).toEqual([...Array(5).fill(2 ** 20), 17]);
    const latest = await snapshots.getLatestSnapshot('postings');
    expect(latest?.bytes.equals(blob)).toBe(true);
    expect(latest).toMatchObject({ snapshotId: info.snapshotId, meta: { position: { p0: 42 }, lists: 7 } });
    expect(await snapshots.getLatestSnapshot('never-written')).toBeUndefined();
    expect((await snapshots.putSnapshot('empty', Buffer.alloc(0))).chunkCount).toBe(0);
    expect((await snapshots.getLatestSnapshot('empty'))?.bytes.length).toBe(0);
    const err = await failureOf(snapshots.putSnapshot('bad name', blob));
    expect(err instanceof ValidationError && err.issues[0]!.field).toBe('name');
  });

  it('shows a reader the old snapshot while the new one is half written, and never a mix', async () => {
    const old = randomBytes(5 * 2 ** 20);
    const next = randomBytes(5 * 2 ** 20);
    await snapshots.putSnapshot('during', old);
    // Small chunks, one at a time: a wide window in which the new snapshot is half written.
    const slow = await CassandraSnapshotBlobStore.connect({ ...base, chunkBytes: 8192, concurrency: 1 });
    try {
      const chunkIds = async () =>
        (await admin.execute(`SELECT snapshot_id FROM "${keyspace}".bitmap_snapshots`)).rows.map((r) =>
          String(r.snapshot_id),
        );
      const known = new Set(await chunkIds());
      let done = false;
      const writing = slow.putSnapshot('during', next).finally(() => (done = true));
      await pollUntil(
        async () => (await chunkIds()).some((id) => !known.has(id)),
        'the new snapshot has chunks',
      );
      const midway = await snapshots.getLatestSnapshot('during');
      expect(done).toBe(false);
      expect(midway?.bytes.equals(old)).toBe(true);
      const seen = new Set<string>();
      while (!done) {
        const read = (await snapshots.getLatestSnapshot('during'))!;
        expect(read.bytes.equals(old) || read.bytes.equals(next)).toBe(true);
        seen.add(read.bytes.equals(old) ? 'old' : 'new');
      }
      const written = await writing;
      expect(seen.has('old')).toBe(true);
      expect((await snapshots.getLatestSnapshot('during'))?.snapshotId).toBe(written.snapshotId);
      expect((await snapshots.getLatestSnapshot('during'))?.bytes.equals(next)).toBe(true);
    } finally {
      await slow.close();
    }
  });

  it('keeps the newest `keep` snapshots and deletes the chunks of older ones', async () => {
    const infos = [];
    for (let i = 0; i < 4; i++) infos.push(await snapshots.putSnapshot('pruned', randomBytes(3 * 2 ** 20)));
    const manifests = await admin.execute(
      `SELECT snapshot_id FROM "${keyspace}".bitmap_snapshot_manifests WHERE name = 'pruned'`,
    );
    expect(manifests.rows.map((r) => String(r.snapshot_id))).toEqual([
      infos[3]!.snapshotId,
      infos[2]!.snapshotId,
    ]);
    for (const [i, info] of infos.entries()) {
      const rs = await admin.execute(
        `SELECT chunk FROM "${keyspace}".bitmap_snapshots WHERE snapshot_id = ? AND chunk IN ?`,
        [types.TimeUuid.fromString(info.snapshotId), [0, 1, 2]],
        { prepare: true },
      );
      expect([i, rs.rows.length]).toEqual([i, i < 2 ? 0 : 3]);
    }
  });
});
