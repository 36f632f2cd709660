import fc from 'fast-check';
import type { SearchEntry, SearchIndex, SuggestKind } from '../../platform/ports/search-index';
import {
  bruteForceSuggest,
  modelOf,
  place,
  tag,
  user,
  type Model,
  type SearchIndexFactory,
} from './search-index-fixtures';

type Op =
  | { upsert: SearchEntry[] }
  | { remove: SuggestKind; ids: string[] }
  | { recount: SuggestKind; ids: string[]; count: number };

/** Applies one random step to the index and to the model, then refreshes. */
async function applyOp(
  index: SearchIndex,
  model: Record<SuggestKind, Map<string, Model>>,
  op: Op,
): Promise<void> {
  if ('remove' in op) {
    await index.remove(op.remove, op.ids);
    for (const i of op.ids) model[op.remove].delete(i);
  } else {
    const entries = 'upsert' in op ? op.upsert : recounted(op.recount, op.ids, model[op.recount], op.count);
    expect(await index.upsert(entries)).toEqual({ failed: [] });
    for (const e of entries) model[e.kind].set(modelOf(e).id, modelOf(e));
  }
  await index.refresh();
}

function recounted(
  kind: SuggestKind,
  ids: string[],
  models: Map<string, Model>,
  count: number,
): SearchEntry[] {
  return ids.flatMap((id) => {
    const m = models.get(id);
    if (!m) return [];
    if (kind === 'users') return [user(id, m.names[0]!, m.names[1]!, count)];
    return [kind === 'hashtags' ? tag(id, m.names[1]!, count) : place(id, m.names[0]!, count)];
  });
}

/** Random sequences of upserts, recounts and removes, each run on an index of its own, against the oracle. */
export function searchIndexOracleCase(factory: SearchIndexFactory, propertyRuns: number): void {
  it('matches a brute-force oracle over random upserts and removes', async () => {
    const ID_POOL = ['1', '2', '9', '10', 'a', 'B', 'b', 'é', 'x1'];
    const TOKENS = ['an', 'An', 'Án', 'ña', 'ß', 'ss', 'Σ', 'σ', 'ς', 'é', 'e\u0301', 'E', 'ガ', 'カ', 'ka'];
    const SEPARATORS = [' ', '_', '.', '-', '  '];
    const text = fc
      .array(fc.oneof(fc.constantFrom(...TOKENS), fc.constantFrom(...SEPARATORS)), { maxLength: 5 })
      .map((parts) => parts.join(''));
    const count = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom(2 ** 24, 2 ** 24 + 1, 1e12));
    const id = fc.constantFrom(...ID_POOL);
    const entry: fc.Arbitrary<SearchEntry> = fc.oneof(
      fc.tuple(id, text, text, count).map(([i, u, f, n]) => user(i, u, f, n)),
      fc.tuple(id, text, count).map(([i, d, n]) => tag(i, d, n)),
      fc.tuple(id, text, count).map(([i, n, c]) => place(i, n, c)),
    );
    const kind = fc.constantFrom<SuggestKind>('users', 'hashtags', 'locations');
    // A recount re-sends existing entries' names with a new count, as the counters do.
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ upsert: fc.array(entry, { minLength: 1, maxLength: 6 }) }),
      fc.record({ remove: kind, ids: fc.subarray(ID_POOL) }),
      fc.record({ recount: kind, ids: fc.subarray(ID_POOL, { minLength: 1 }), count }),
    );
    const query = fc.record({
      kind,
      text: fc
        .array(fc.constantFrom(...TOKENS, ' ', '_'), { minLength: 1, maxLength: 3 })
        .map((t) => t.join('')),
      limit: fc.integer({ min: 1, max: 6 }),
      onlyIds: fc.option(fc.subarray([...ID_POOL, 'nope']), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(op, fc.array(query, { maxLength: 3 })), { maxLength: 10 }),
        async (steps) => {
          const fresh = await factory();
          try {
            const model: Record<SuggestKind, Map<string, Model>> = {
              users: new Map(),
              hashtags: new Map(),
              locations: new Map(),
            };
            for (const [o, queries] of steps) {
              await applyOp(fresh.index, model, o);
              for (const q of queries) {
                const { limit, onlyIds } = q;
                const got = (await fresh.index.suggest(q.kind, q.text, { limit, onlyIds })).map((h) => h.id);
                expect([q, got]).toEqual([
                  q,
                  bruteForceSuggest(model[q.kind].values(), q.text, limit, onlyIds),
                ]);
              }
            }
            for (const k of ['users', 'hashtags', 'locations'] as const) {
              expect(await fresh.index.count(k)).toBe(model[k].size);
              for (const i of ID_POOL)
                expect((await fresh.index.get(k, i)) !== undefined).toBe(model[k].has(i));
            }
          } finally {
            await fresh.cleanup();
          }
        },
      ),
      { numRuns: propertyRuns },
    );
  });
}
