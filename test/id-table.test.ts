import fc from 'fast-check';
import { IdTable } from '../platform/adapters/memory-search/id-table';

/**
 * The id → slot table against a Map, with hashes drawn from a handful of
 * values (negative ones too), so nearly every id collides and the probe runs
 * and backward-shift deletion are exercised.
 */
describe('IdTable', () => {
  const POOL = Array.from({ length: 40 }, (_, i) => `id-${i}`);
  const op = fc.record({ insert: fc.boolean(), id: fc.constantFrom(...POOL) });

  it('finds exactly the live ids, with and without an accept test, across inserts, removals and growth', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -3, max: 3 }), { minLength: POOL.length, maxLength: POOL.length }),
        fc.array(op, { maxLength: 200 }),
        fc.integer({ min: 2, max: 4 }),
        (hashOf, ops, modulus) => {
          const ids: string[] = [];
          const hashes = new Int32Array(64);
          const table = new IdTable(
            () => ids,
            () => hashes,
          );
          const model = new Map<string, number>();
          const free: number[] = [];
          const hash = (id: string) => hashOf[POOL.indexOf(id)]!;
          for (const { insert, id } of ops) {
            if (insert && !model.has(id)) {
              const slot = free.length > 0 ? free.pop()! : ids.length;
              ids[slot] = id;
              hashes[slot] = hash(id);
              table.insert(slot);
              model.set(id, slot);
            } else if (!insert && model.has(id)) {
              const slot = model.get(id)!;
              table.remove(slot);
              ids[slot] = '';
              model.delete(id);
              free.push(slot);
            }
            expect(table.size).toBe(model.size);
            for (const probe of POOL) {
              const want = model.get(probe) ?? -1;
              expect([probe, table.find(probe, hash(probe))]).toEqual([probe, want]);
              const accept = (slot: number) => slot % modulus !== 0;
              const accepted = want >= 0 && accept(want) ? want : -1;
              expect([probe, table.findAccepted(probe, hash(probe), accept)]).toEqual([probe, accepted]);
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('reads no id string for a slot the accept test turns down', () => {
    const ids = ['a', 'b', 'c'];
    const hashes = Int32Array.from([7, 7, 7]);
    const guarded = new Proxy(ids, {
      get(target, key) {
        if (key === '1') throw new Error('read the id of slot 1');
        return Reflect.get(target, key);
      },
    });
    const table = new IdTable(
      () => guarded,
      () => hashes,
    );
    for (const slot of [0, 1, 2]) table.insert(slot);
    expect(table.findAccepted('c', 7, (slot) => slot !== 1)).toBe(2);
    expect(table.findAccepted('b', 7, (slot) => slot !== 1)).toBe(-1);
  });
});
