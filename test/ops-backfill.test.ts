import { existsSync, readdirSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { HashtagCountRecord } from '../indexer/counting/read-hashtag-count';
import { KV } from '../indexer/kv-tables';
import { TREND_TOTALS, TREND_WINDOWS } from '../indexer/trending/trend-tables';
import { EmbeddedEventLog } from '../platform/adapters/embedded-log';
import { LmdbKvStore } from '../platform/adapters/lmdb-kv';
import type { KvStore } from '../platform/ports/kv-store';
import { QueryEngine } from '../query/engine/query-engine';
import { readSnapshot } from '../query/engine/snapshot-file';
import { PipelineHarness } from './support/embedded-pipeline-harness';
import { generateEventStream, type GeneratedEvent } from './support/event-stream';
import { expectedState } from './support/indexer-model';
import { OpsWorld, runOpsCli } from './support/ops-world';
import { pollUntil } from './support/poll';
import { backfill } from '../scripts/ops/backfill/backfill';
import type { BackfillCheckpoint } from '../scripts/ops/backfill/backfill-checkpoint';
import { fileBitmapSnapshots } from '../indexer/postings/bitmap-snapshots';

/** Recent occurredAt values, so trending keeps the windows instead of dropping them as too old. */
function recent(events: GeneratedEvent[]): GeneratedEvent[] {
  const start = Date.now() - 3_600_000;
  return events.map((e, i) => ({
    ...e,
    raw: { ...e.raw, occurredAt: new Date(start + i * 1000).toISOString() },
  }));
}

async function dump(kv: KvStore, table: string, keep: (v: unknown) => boolean = () => true) {
  const out: Record<string, unknown> = {};
  for await (const [k, v] of kv.scan(table)) if (keep(v)) out[k] = v;
  return out;
}

const runCli = (args: string[]) => runOpsCli('backfill', args);

/** Counts, bitmaps and trends of a data dir, next to the model and a clean run of the same events. */
async function checkAgainstOracles(dir: string, events: GeneratedEvent[]) {
  const model = expectedState(events);
  const kv = LmdbKvStore.open({ path: path.join(dir, 'kv') });
  const clean = await PipelineHarness.create();
  try {
    const counts = await dump(kv, KV.hashtagCounts, (v) => (v as HashtagCountRecord).count > 0);
    const wantCounts = Object.fromEntries(
      [...model.hashtags].filter(([, h]) => h.count > 0).map(([tag, h]) => [tag, h.count]),
    );
    expect(
      Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, (v as HashtagCountRecord).count])),
    ).toEqual(wantCounts);
    const { index } = await readSnapshot(path.join(dir, 'bitmaps.snap'));
    const engine = new QueryEngine(index, { limits: { maxResultLimit: 10_000 } });
    for (const [term, ids] of model.postings) {
      expect({ term, ids: engine.search(term, { limit: 10_000 }).ids.sort() }).toEqual({
        term,
        ids: [...ids].sort(),
      });
    }
    await clean.publish(events.filter((e) => e.valid));
    await clean.start();
    await clean.caughtUp();
    const windows = await dump(clean.kv, TREND_WINDOWS);
    expect(Object.keys(windows).length).toBeGreaterThan(0);
    expect(await dump(kv, TREND_WINDOWS)).toEqual(windows);
    expect(await dump(kv, TREND_TOTALS)).toEqual(await dump(clean.kv, TREND_TOTALS));
  } finally {
    await clean.destroy();
    await kv.close();
  }
}

describe('backfill (embedded)', () => {
  let world: OpsWorld | undefined;
  afterEach(async () => {
    await world?.destroy();
    world = undefined;
  });

  it('imports an NDJSON export through kill -9s, rejects bad lines once, matches the model, and is idempotent', async () => {
    world = await OpsWorld.create();
    const dir = world.dir;
    await world.kv.close();
    await world.log.close();
    const events = recent(generateEventStream(51, 2500));
    const lines = events.map((e) => JSON.stringify(e.raw));
    lines.splice(700, 0, '{"type": "post.published", oops');
    lines.splice(1500, 0, '');
    const file = path.join(dir, 'export.ndjson');
    await writeFile(file, `${lines.join('\n')}\n`);
    const badLines = lines.flatMap((l, i) => {
      if (l === '') return [];
      try {
        return events.find((e) => JSON.stringify(e.raw) === l)?.valid === false ? [i + 1] : [];
      } catch {
        return [];
      }
    });
    badLines.push(701);
    badLines.sort((a, b) => a - b);

    const args = ['--data-dir', dir, '--from-file', file, '--progress', 'lines', '--rate', '800'];
    const checkpoint = () => {
      const runs = path.join(dir, 'ops');
      return existsSync(runs)
        ? readdirSync(runs)
            .map((d: string) => path.join(runs, d, 'checkpoint.json'))
            .find(existsSync)
        : undefined;
    };
    let kills = 0;
    let lastLines = -1;
    const stages = ['import', 'index', 'derive', 'mirror'];
    let lastStage = 0;
    const progressOf = (cp: BackfillCheckpoint) => [stages.indexOf(cp.stage), cp.importedLines] as const;
    const ahead = (cp: BackfillCheckpoint) => {
      const [stage, lines] = progressOf(cp);
      return stage > lastStage || (stage === lastStage && lines > lastLines);
    };
    for (let attempt = 0; attempt < 3; attempt++) {
      const run = runCli(args);
      // Wait for a checkpoint that is further along than the last one, then kill -9.
      await pollUntil(
        async () => {
          const f = checkpoint();
          if (!f) return false;
          const cp = JSON.parse(await readFile(f, 'utf8').catch(() => '{}')).state as
            BackfillCheckpoint | undefined;
          return cp !== undefined && ahead(cp);
        },
        'a checkpoint',
        60_000,
      ).catch(() => undefined);
      run.child.kill('SIGKILL');
      const outcome = await run.exited;
      if (outcome !== 'SIGKILL') break;
      kills++;
      const cp = JSON.parse(await readFile(checkpoint()!, 'utf8')).state as BackfillCheckpoint;
      // Resuming never starts over: each run begins where the previous checkpoint left it.
      expect(ahead(cp)).toBe(true);
      [lastStage, lastLines] = progressOf(cp);
    }
    expect(kills).toBeGreaterThanOrEqual(2);
    const last = runCli(args);
    const outcome = await last.exited;
    expect({ outcome, ...last.output() }).toMatchObject({ outcome: 'exit 0' });
    expect(last.output().stdout).toMatch(/backfill finished/);

    const rejectsFile = last.output().stdout.match(/failures: \d+ in (\S+)/)![1]!;
    const rejects = (await readFile(rejectsFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { lineNumber: number });
    expect(rejects.map((r) => r.lineNumber)).toEqual(badLines);
    await checkAgainstOracles(dir, events);

    // Running it again changes nothing.
    const kv = LmdbKvStore.open({ path: path.join(dir, 'kv') });
    const before = { counts: await dump(kv, KV.hashtagCounts), windows: await dump(kv, TREND_WINDOWS) };
    await kv.close();
    const again = runCli(['--data-dir', dir, '--from-file', file, '--progress', 'off']);
    expect(await again.exited).toBe('exit 0');
    expect(again.output().stdout).toMatch(/rows changed: 0 put, 0 deleted/);
    const kv2 = LmdbKvStore.open({ path: path.join(dir, 'kv') });
    expect({ counts: await dump(kv2, KV.hashtagCounts), windows: await dump(kv2, TREND_WINDOWS) }).toEqual(
      before,
    );
    await kv2.close();
    world = undefined;
    await rm(dir, { recursive: true, force: true });
  }, 180_000);

  it('repairs corrupted counts and trend windows from the log', async () => {
    world = await OpsWorld.create();
    const events = recent(generateEventStream(52, 1500));
    await world.startPipeline();
    await world.publish(events);
    await world.caughtUp();
    await world.stopPipeline();
    const [tag] = [...expectedState(events).hashtags].find(([, h]) => h.count > 0)!;
    const row = (await world.kv.get<HashtagCountRecord>(KV.hashtagCounts, tag))!;
    const [windowKey] = Object.keys(await dump(world.kv, TREND_WINDOWS));
    await world.kv.batch([
      { type: 'put', table: KV.hashtagCounts, key: tag, value: { ...row, count: row.count + 7 } },
      { type: 'delete', table: TREND_WINDOWS, key: windowKey! },
    ]);
    const ctx = await world.context<BackfillCheckpoint>();
    const result = await backfill(
      {
        mode: 'embedded',
        log: world.log,
        kv: world.kv,
        snapshots: fileBitmapSnapshots(path.join(world.dir, 'bitmaps.snap')),
      },
      ctx,
    );
    await ctx.close();
    expect(result.puts).toBe(2);
    expect(result.deletes).toBe(0);
    await world.kv.close();
    await world.log.close();
    await checkAgainstOracles(world.dir, events);
    // Reopen so afterEach can close them.
    (world as unknown as { kv: LmdbKvStore }).kv = LmdbKvStore.open({ path: path.join(world.dir, 'kv') });
    (world as unknown as { log: EmbeddedEventLog }).log = await EmbeddedEventLog.open({
      dir: path.join(world.dir, 'log'),
    });
  }, 120_000);
});
