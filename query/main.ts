/**
 * `npm start`: until the HTTP API lands, a command-line demo of the query
 * engine over a small seeded network. Pass a query as an argument to run it,
 * or run with no arguments for a tour and (on a terminal) a prompt.
 */
import readline from 'node:readline';
import { PostingIndex, QueryEngine, QueryError, type PostingOp } from './engine';

const users = ['alice', 'bob', 'chen', 'dara', 'emil', 'fatima', 'goro', 'hana'];
const tags = ['sunset', 'beach', 'sea', 'cat', 'food', 'travel', 'nsfw', 'münchen', 'café'];

function demoIndex(): PostingIndex {
  const index = new PostingIndex();
  const ops: PostingOp[] = [];
  users.forEach((_, i) =>
    ops.push({ op: 'add', term: { kind: 'users' }, member: index.ids.user.getOrAssign(String(1000 + i)) }),
  );
  // Everyone follows the next two people around the circle.
  users.forEach((_, i) => {
    for (const step of [1, 2]) {
      const a = index.ids.user.get(String(1000 + i))!;
      const b = index.ids.user.get(String(1000 + ((i + step) % users.length)))!;
      ops.push(
        { op: 'add', term: { kind: 'follows', id: a }, member: b },
        { op: 'add', term: { kind: 'followers', id: b }, member: a },
      );
    }
  });
  for (let p = 0; p < 200; p++) {
    const m = index.ids.media.getOrAssign(String(900_000_000_000 + p));
    const author = index.ids.user.get(String(1000 + (p % users.length)))!;
    ops.push(
      { op: 'add', term: { kind: 'live' }, member: m },
      { op: 'add', term: { kind: 'author', id: author }, member: m },
    );
    if (p % 5 !== 0) ops.push({ op: 'add', term: { kind: 'public' }, member: m });
    for (let t = 0; t < tags.length; t++)
      if ((p * 7 + t * 3) % (t + 2) === 0)
        ops.push({ op: 'add', term: { kind: 'tag', tag: tags[t]! }, member: m });
  }
  index.apply(ops);
  return index;
}

function show(engine: QueryEngine, query: string): void {
  try {
    const page = engine.search(query, { limit: 5 });
    console.log(
      `${query}\n  ${page.total} ${page.type} result(s), newest first: ${page.ids.join(', ') || '(none)'}${page.nextCursor ? ', …' : ''}`,
    );
  } catch (err) {
    if (!(err instanceof QueryError)) throw err;
    console.log(`${query}\n  ${err.code} at position ${String(err.position)}: ${err.message}`);
  }
}

function main(): void {
  const engine = new QueryEngine(demoIndex());
  const arg = process.argv.slice(2).join(' ');
  if (arg) return show(engine, arg);
  console.log(
    `Demo network: ${users.length} users (ids 1000-1007: ${users.join(', ')}), 200 posts, tags ${tags.join(' ')}\n`,
  );
  for (const q of [
    '(and tag:sunset (or tag:beach tag:sea) (not tag:nsfw))',
    '(apply author: follows:1000)',
    '(and tag:cat (apply author: follows:1000))',
    '(apply follows: follows:1000)',
    '(atleast 2 tag:sunset tag:beach tag:food)',
    '(difference tag:travel tag:food is:public)',
    '(and tag:sunset follows:1000)',
  ])
    show(engine, q);
  if (!process.stdin.isTTY) return;
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, prompt: '\nquery> ' });
  rl.prompt();
  rl.on('line', (line) => {
    if (line.trim()) show(engine, line.trim());
    rl.prompt();
  });
}

main();
