import { createReadStream } from 'node:fs';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { eventKey } from '../../../indexer/event-key';
import { KV } from '../../../indexer/kv-tables';
import { TOPICS } from '../../../indexer/topics';
import type { EventLog } from '../../../platform/ports/event-log';
import type { KvStore } from '../../../platform/ports/kv-store';
import { safeParseEvent, type UploadEvent } from '../../../schemas/events';
import type { OpsContext } from '../ops-context';
import type { BackfillCheckpoint } from './backfill-checkpoint';

export interface ImportOptions {
  log: EventLog;
  kv: KvStore;
  /** A path, or `-` for stdin. */
  from: string;
  stdin?: Readable;
  /** Events per append; default 1000. */
  chunkSize?: number;
}

/**
 * Appends the valid events of an NDJSON export to POST_PUBLISH, keyed as the
 * post service keys them. Bad lines go to the rejects file with their line
 * number and reason. Events whose eventId the indexer has already seen are
 * skipped (the indexer would drop them anyway), so an import run twice
 * appends nothing the second time. Checkpoints by line: a resumed import
 * re-reads the input and skips the lines it already handled.
 */
export async function importNdjson(
  o: ImportOptions,
  ctx: OpsContext<BackfillCheckpoint>,
  state: BackfillCheckpoint,
  save: () => Promise<void>,
): Promise<void> {
  const input = o.from === '-' ? (o.stdin ?? process.stdin) : createReadStream(o.from);
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  const size = o.chunkSize ?? 1000;
  let pending: { event: UploadEvent; line: number }[] = [];
  let lineNumber = 0;
  let savedAt = ctx.clock.now();
  ctx.progress.phase(`import ${o.from === '-' ? 'stdin' : o.from}`);
  const flush = async (upTo: number) => {
    if (pending.length > 0) {
      const known = await o.kv.getMany(
        KV.eventIds,
        pending.map((p) => p.event.eventId),
      );
      const fresh = pending.filter((_, i) => known[i] === undefined);
      // The same eventId twice in one chunk: the first wins, as in the indexer.
      const seen = new Set<string>();
      const unique = fresh.filter((p) => !seen.has(p.event.eventId) && seen.add(p.event.eventId));
      ctx.stats.skipped(pending.length - unique.length);
      await ctx.throttle.take(unique.length, ctx.signal);
      if (!ctx.dryRun && unique.length > 0) {
        await o.log.produce(
          TOPICS.postPublish,
          unique.map((p) => ({ key: eventKey(p.event), value: Buffer.from(JSON.stringify(p.event)) })),
        );
        ctx.stats.written(unique.length);
      }
      pending = [];
    }
    state.importedLines = upTo;
    if (ctx.signal.aborted || ctx.clock.now() - savedAt >= 1000) {
      await save();
      savedAt = ctx.clock.now();
      ctx.throwIfAborted();
    }
  };
  try {
    for await (const text of lines) {
      lineNumber++;
      if (lineNumber <= state.importedLines) continue;
      ctx.progress.increment(1);
      if (text.trim() === '') continue;
      ctx.stats.read();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        ctx.stats.fail({
          lineNumber,
          reason: `malformed JSON: ${(err as Error).message}`,
          input: text.slice(0, 1000),
        });
        continue;
      }
      const parsed = safeParseEvent(json);
      if (!parsed.ok) {
        const reason = parsed.issues.map((i) => `${i.field || '(event)'}: ${i.reason}`).join('; ');
        ctx.stats.fail({ lineNumber, reason, input: text.slice(0, 1000) });
        continue;
      }
      pending.push({ event: parsed.event, line: lineNumber });
      if (pending.length >= size) await flush(lineNumber);
    }
    await flush(lineNumber);
  } finally {
    lines.close();
  }
  ctx.progress.done();
}
