import { existsSync, readdirSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { HashtagCountRecord } from '../indexer/counting/read-hashtag-count';
import { KV } from '../indexer/kv-tables';
import { LmdbKvStore } from '../platform/adapters/lmdb-kv';
import type { BackfillCheckpoint } from '../scripts/ops/backfill/backfill-checkpoint';
import { generateEventStream } from './support/event-stream';
import { recentEvents } from './support/expect-model-state';
import { expectedState } from './support/indexer-model';
import { OpsWorld, runOpsCli } from './support/ops-world';
import { pollUntil } from './support/poll';

/** A data dir the pipeline has indexed `events` into, closed so a CLI can lock it. */
async function indexedDataDir(seed: number, count: number) {
  const world = await OpsWorld.create();
  const events = recentEvents(generateEventStream(seed, count));
  await world.startPipeline();
  await world.publish(events);
  await world.caughtUp();
  await world.stopPipeline();
  await world.kv.close();
  await world.log.close();
  return { dir: world.dir, events };
}

async function withKv<T>(dir: string, fn: (kv: LmdbKvStore) => Promise<T>): Promise<T> {
  const kv = LmdbKvStore.open({ path: path.join(dir, 'kv') });
  try {
    return await fn(kv);
  } finally {
    await kv.close();
  }
}

const differencesIn = (stdout: string) =>
  stdout.split('\n').filter((l) => /^(hashtag-count|document-)/.test(l));

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('verify CLI (embedded)', () => {
  it('exits 3 naming a corrupted count, --repair fixes it, and the next run finds nothing', async () => {
    const indexed = await indexedDataDir(91, 1200);
    dir = indexed.dir;
    const [tag, truth] = [...expectedState(indexed.events).hashtags].find(([, h]) => h.count > 0)!;
    await withKv(dir, async (kv) => {
      const row = (await kv.get<HashtagCountRecord>(KV.hashtagCounts, tag))!;
      await kv.batch([
        { type: 'put', table: KV.hashtagCounts, key: tag, value: { ...row, count: truth.count + 5 } },
      ]);
    });
    const args = ['--data-dir', dir, '--progress', 'off'];

    const found = runOpsCli('verify', args);
    expect({ outcome: await found.exited, ...found.output() }).toMatchObject({ outcome: 'exit 3' });
    expect(differencesIn(found.output().stdout)).toEqual([
      `hashtag-count hashtag_counts ${tag}: expected ${truth.count}, found ${truth.count + 5}`,
    ]);
    expect(found.output().stdout).toMatch(/1 differences, 0 repaired/);

    const repaired = runOpsCli('verify', [...args, '--repair']);
    expect({ outcome: await repaired.exited, ...repaired.output() }).toMatchObject({ outcome: 'exit 0' });
    expect(differencesIn(repaired.output().stdout)).toEqual([
      `hashtag-count hashtag_counts ${tag}: expected ${truth.count}, found ${truth.count + 5} (repaired)`,
    ]);
    expect(await withKv(dir, (kv) => kv.get<HashtagCountRecord>(KV.hashtagCounts, tag))).toMatchObject({
      count: truth.count,
    });

    const clean = runOpsCli('verify', args);
    expect({ outcome: await clean.exited, ...clean.output() }).toMatchObject({ outcome: 'exit 0' });
    expect(clean.output().stdout).toMatch(/0 differences, 0 repaired/);
  }, 120_000);

  it('refuses search checks in embedded mode, naming the flag (exit 2)', async () => {
    const indexed = await indexedDataDir(92, 200);
    dir = indexed.dir;
    const run = runOpsCli('verify', ['--data-dir', dir, '--kind', 'users']);
    expect(await run.exited).toBe('exit 2');
    expect(run.output().stderr).toMatch(/--kind: only in distributed mode/);
  }, 60_000);
});

describe('backfill CLI flags (embedded)', () => {
  it('--dry-run writes nothing, --max-errors stops the run, --restart starts it over', async () => {
    const world = await OpsWorld.create();
    dir = world.dir;
    await world.kv.close();
    await world.log.close();
    const events = recentEvents(generateEventStream(94, 300)).filter((e) => e.valid);
    const lines = events.map((e) => JSON.stringify(e.raw));
    for (const at of [40, 90, 200]) lines.splice(at, 0, '{"type": "nope"}');
    const file = path.join(dir, 'export.ndjson');
    await writeFile(file, `${lines.join('\n')}\n`);
    const args = ['--data-dir', dir, '--from-file', file, '--progress', 'off'];
    const counted = () =>
      withKv(dir!, async (kv) => {
        let n = 0;
        for await (const row of kv.scan(KV.hashtagCounts)) if (row) n++;
        return n;
      });

    const dry = runOpsCli('backfill', [...args, '--dry-run']);
    expect({ outcome: await dry.exited, ...dry.output() }).toMatchObject({ outcome: 'exit 0' });
    expect(dry.output().stdout).toMatch(/backfill \(dry run: nothing written\) finished/);
    expect(dry.output().stdout).toMatch(/failed 3 /);
    expect(await counted()).toBe(0);

    const stopped = runOpsCli('backfill', [...args, '--max-errors', '1']);
    expect({ outcome: await stopped.exited, ...stopped.output() }).toMatchObject({ outcome: 'exit 1' });
    expect(stopped.output().stderr).toMatch(
      /backfill: error \[MAX_ERRORS_EXCEEDED\]: stopped after 2 failures/,
    );
    expect(stopped.output().stdout).toMatch(/failed 2 /);

    const again = runOpsCli('backfill', [...args, '--restart']);
    expect({ outcome: await again.exited, ...again.output() }).toMatchObject({ outcome: 'exit 0' });
    const rejectsFile = /failures: 3 in (\S+)/.exec(again.output().stdout)![1]!;
    const rejected = (await readFile(rejectsFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { lineNumber: number }).lineNumber);
    // Started over: each bad line once, none left over from the stopped run.
    expect(rejected).toEqual([41, 91, 201]);
    expect(await counted()).toBeGreaterThan(0);
  }, 120_000);
});

describe('Ctrl-C', () => {
  it('the first saves the checkpoint and stops (exit 130), a second quits at once, and the same command resumes', async () => {
    const world = await OpsWorld.create();
    dir = world.dir;
    await world.kv.close();
    await world.log.close();
    const events = recentEvents(generateEventStream(93, 2000));
    const file = path.join(dir, 'export.ndjson');
    await writeFile(file, `${events.map((e) => JSON.stringify(e.raw)).join('\n')}\n`);
    const args = ['--data-dir', dir, '--from-file', file, '--progress', 'lines'];
    const checkpoint = async () => {
      const runs = path.join(dir!, 'ops');
      const found = existsSync(runs)
        ? readdirSync(runs)
            .map((d) => path.join(runs, d, 'checkpoint.json'))
            .find(existsSync)
        : undefined;
      const text = found ? await readFile(found, 'utf8').catch(() => undefined) : undefined;
      return text ? (JSON.parse(text) as { state: BackfillCheckpoint }).state : undefined;
    };

    const first = runOpsCli('backfill', [...args, '--rate', '300', '--batch-size', '50']);
    await pollUntil(async () => ((await checkpoint())?.importedLines ?? 0) > 0, 'a first checkpoint', 60_000);
    first.child.kill('SIGINT');
    expect({ outcome: await first.exited, ...first.output() }).toMatchObject({ outcome: 'exit 130' });
    expect(first.output().stderr).toMatch(/SIGINT: saving the checkpoint and stopping/);
    expect(first.output().stdout).toMatch(/stopped early; checkpoint: /);
    const saved = (await checkpoint())!;
    expect(saved.stage).toBe('import');
    // Stopped well before the end: the rate alone keeps the import going for 7 s.
    expect(saved.importedLines).toBeLessThan(events.length);

    const second = runOpsCli('backfill', [...args, '--rate', '300', '--batch-size', '50']);
    await pollUntil(
      async () => ((await checkpoint())?.importedLines ?? 0) > saved.importedLines,
      'the resumed run to move on',
      60_000,
    );
    second.child.kill('SIGINT');
    second.child.kill('SIGINT');
    expect(await second.exited).toBe('exit 130');

    const last = runOpsCli('backfill', args);
    expect({ outcome: await last.exited, ...last.output() }).toMatchObject({ outcome: 'exit 0' });
    const model = expectedState(events);
    const counts = await withKv(dir, async (kv) => {
      const out: Record<string, number> = {};
      for await (const [tag, row] of kv.scan<HashtagCountRecord>(KV.hashtagCounts))
        if (row.count > 0) out[tag] = row.count;
      return out;
    });
    expect(counts).toEqual(
      Object.fromEntries([...model.hashtags].filter(([, h]) => h.count > 0).map(([t, h]) => [t, h.count])),
    );
  }, 120_000);
});
