import { csrList, type EngineCorpus } from './engine-corpus';

type Sexp = string | Sexp[];

/**
 * The baseline: the same queries over plain JS Sets of dense ids. Sets are
 * built lazily per term (outside the timed runs, by a warm-up pass), so the
 * timings compare query work only.
 */
export class SetBaseline {
  private readonly cache = new Map<string, Set<number>>();
  private readonly live: Set<number>;

  constructor(private readonly corpus: EngineCorpus) {
    this.live = new Set(Array.from({ length: corpus.media }, (_, i) => i));
  }

  search(query: string, limit: number): { total: number; dense: number[] } {
    const result = this.eval(read(query));
    const dense = [...result].sort((a, b) => b - a).slice(0, limit);
    return { total: result.size, dense };
  }

  private eval(e: Sexp): Set<number> {
    if (typeof e === 'string') return this.term(e);
    const [op, ...args] = e;
    switch (op) {
      case 'and': {
        const pos = args.filter((a) => !(Array.isArray(a) && a[0] === 'not')).map((a) => this.eval(a));
        const neg = args
          .filter((a) => Array.isArray(a) && a[0] === 'not')
          .map((a) => this.eval((a as Sexp[])[1]!));
        pos.sort((a, b) => a.size - b.size);
        const out = new Set<number>();
        for (const x of pos[0] ?? this.live) {
          if (pos.every((s) => s.has(x)) && !neg.some((s) => s.has(x))) out.add(x);
        }
        return out;
      }
      case 'or': {
        const out = new Set<number>();
        for (const a of args) for (const x of this.eval(a)) out.add(x);
        return out;
      }
      case 'not': {
        const inner = this.eval(args[0]!);
        return new Set([...this.live].filter((x) => !inner.has(x)));
      }
      case 'apply': {
        const kind = (args[0] as string).replace(/:$/, '');
        const out = new Set<number>();
        for (const u of this.eval(args[1]!)) for (const x of this.list(kind, u)) out.add(x);
        return out;
      }
      default:
        throw new Error(`baseline does not support ${String(op)}`);
    }
  }

  private term(t: string): Set<number> {
    const [kind, value] = t.split(':') as [string, string];
    if (kind === 'tag') return this.list('tag', Number(value.slice(1)));
    return this.list(kind, Number((BigInt(value) - 1_000_000_000_000_000n) / 13n));
  }

  private list(kind: string, id: number): Set<number> {
    const key = `${kind}:${id}`;
    let set = this.cache.get(key);
    if (!set) {
      const c = this.corpus;
      const csr =
        kind === 'tag'
          ? c.tagPostings
          : kind === 'author'
            ? c.authorPostings
            : kind === 'follows'
              ? c.follows
              : c.followers;
      set = new Set(csrList(csr, id));
      this.cache.set(key, set);
    }
    return set;
  }
}

function read(text: string): Sexp {
  const tokens = text.replace(/\(/g, ' ( ').replace(/\)/g, ' ) ').trim().split(/\s+/);
  let i = 0;
  const next = (): Sexp => {
    const tok = tokens[i++]!;
    if (tok !== '(') return tok;
    const list: Sexp[] = [];
    while (tokens[i] !== ')') list.push(next());
    i++;
    return list;
  };
  return next();
}
