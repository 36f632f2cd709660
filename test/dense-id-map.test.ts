import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DenseIdMap, PostingIndex, readSnapshot, writeSnapshot } from '../query/engine';

const id64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String);

describe('dense id map', () => {
  it('assigns dense ids in arrival order and returns the same id on a second arrival', () => {
    fc.assert(
      fc.property(fc.array(id64, { maxLength: 300 }), (arrivals) => {
        const map = new DenseIdMap(16);
        const oracle = new Map<string, number>();
        for (const ext of arrivals) {
          if (!oracle.has(ext)) oracle.set(ext, oracle.size);
          expect(map.getOrAssign(ext)).toBe(oracle.get(ext));
        }
        expect(map.size).toBe(oracle.size);
        for (const [ext, dense] of oracle) {
          expect(map.get(ext)).toBe(dense);
          expect(map.external(dense)).toBe(ext);
        }
      }),
    );
  });

  it('handles the extremes of the 64-bit range exactly', () => {
    const map = new DenseIdMap();
    const ids = [
      '0',
      '1',
      '4294967295',
      '4294967296',
      '9007199254740993',
      '9223372036854775807',
      '18446744073709551615',
    ];
    ids.forEach((id, i) => expect(map.getOrAssign(id)).toBe(i));
    ids.forEach((id, i) => expect(map.external(i)).toBe(id));
    expect(map.get('9007199254740992')).toBeUndefined();
  });

  it.each(['', '01', '-1', '1.0', '1e3', ' 1', '18446744073709551616', 'abc'])('rejects %j', (bad) => {
    const map = new DenseIdMap();
    expect(() => map.getOrAssign(bad)).toThrow(expect.objectContaining({ code: 'BAD_ID' }));
  });

  it('survives serialization with lookups intact', () => {
    const map = new DenseIdMap();
    for (let i = 0; i < 5000; i++) map.getOrAssign(String(1_000_000_000_000n + BigInt(i) * 7919n));
    const copy = DenseIdMap.deserialize(map.serialize());
    expect(copy.size).toBe(5000);
    for (let i = 0; i < 5000; i += 37) {
      const ext = String(1_000_000_000_000n + BigInt(i) * 7919n);
      expect(copy.get(ext)).toBe(i);
    }
    expect(copy.getOrAssign('42')).toBe(5000);
  });

  it('stays stable across restarts through a snapshot', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'idmap-'));
    try {
      const file = path.join(dir, 'index.snap');
      const first = new PostingIndex();
      const before = ['900000000000000001', '5', '777'].map((id) => first.ids.media.getOrAssign(id));
      first.ids.user.getOrAssign('123');
      await writeSnapshot(first, file, { offset: 3 });
      const { index: restarted } = await readSnapshot(file);
      expect(['900000000000000001', '5', '777'].map((id) => restarted.ids.media.getOrAssign(id))).toEqual(
        before,
      );
      expect(restarted.ids.media.getOrAssign('8')).toBe(3);
      expect(restarted.ids.user.get('123')).toBe(0);
      expect(restarted.ids.location.size).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
