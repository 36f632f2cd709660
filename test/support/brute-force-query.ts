import type { QueryNode } from '../../query/engine';
import type { World } from './engine-world';

/**
 * The oracle: evaluates a query over the plain world description with JS
 * Sets of external ids. It shares no code with the engine.
 */
export function bruteForce(world: World, node: QueryNode): { type: 'media' | 'user'; ids: Set<string> } {
  const live = world.media.filter((m) => !m.deleted);
  const allUsers = new Set(world.users);
  const liveIds = new Set(live.map((m) => m.id));
  const follows = (u: string) => new Set(world.follows.filter(([a]) => a === u).map(([, b]) => b));
  const followers = (u: string) => new Set(world.follows.filter(([, b]) => b === u).map(([a]) => a));

  const run = (n: QueryNode): { type: 'media' | 'user'; ids: Set<string> } => {
    switch (n.op) {
      case 'term': {
        const v = n.value;
        switch (n.kind) {
          case 'tag':
            return media(live.filter((m) => m.tags.includes(v)).map((m) => m.id));
          case 'author':
            return media(live.filter((m) => m.author === v).map((m) => m.id));
          case 'loc':
            return media(live.filter((m) => m.loc === v).map((m) => m.id));
          case 'is':
            if (v === 'user') return { type: 'user', ids: new Set(allUsers) };
            return media(live.filter((m) => v === 'live' || m.isPublic).map((m) => m.id));
          case 'follows':
            return { type: 'user', ids: follows(v) };
          case 'followers':
            return { type: 'user', ids: followers(v) };
          case 'user':
            return { type: 'user', ids: new Set(allUsers.has(v) ? [v] : []) };
        }
        throw new Error('unreachable');
      }
      case 'and': {
        const parts = n.args.map(run);
        const out = new Set([...parts[0]!.ids].filter((x) => parts.every((p) => p.ids.has(x))));
        return { type: parts[0]!.type, ids: out };
      }
      case 'or': {
        const parts = n.args.map(run);
        const out = new Set<string>();
        for (const p of parts) for (const x of p.ids) out.add(x);
        return { type: parts[0]!.type, ids: out };
      }
      case 'not': {
        const inner = run(n.arg);
        const universe = inner.type === 'media' ? liveIds : allUsers;
        return { type: inner.type, ids: new Set([...universe].filter((x) => !inner.ids.has(x))) };
      }
      case 'difference': {
        const parts = n.args.map(run);
        const out = new Set([...parts[0]!.ids].filter((x) => parts.slice(1).every((p) => !p.ids.has(x))));
        return { type: parts[0]!.type, ids: out };
      }
      case 'atleast': {
        const parts = n.args.map(run);
        const counts = new Map<string, number>();
        for (const p of parts) for (const x of p.ids) counts.set(x, (counts.get(x) ?? 0) + 1);
        return {
          type: parts[0]!.type,
          ids: new Set([...counts].filter(([, c]) => c >= n.k).map(([x]) => x)),
        };
      }
      case 'apply': {
        const users = run(n.arg).ids;
        const out = new Set<string>();
        for (const u of users) {
          const part =
            n.kind === 'author'
              ? live.filter((m) => m.author === u).map((m) => m.id)
              : [...(n.kind === 'follows' ? follows(u) : followers(u))];
          for (const x of part) out.add(x);
        }
        return { type: n.kind === 'author' ? 'media' : 'user', ids: out };
      }
    }
  };
  const media = (ids: string[]) => ({ type: 'media' as const, ids: new Set(ids) });
  const result = run(node);
  // The universe of users is everyone who ever arrived, including followees never upserted: match it.
  if (result.type === 'user')
    return { type: 'user', ids: new Set([...result.ids].filter((u) => allUsers.has(u))) };
  return result;
}
