import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { StorageError } from '../../errors';
import { writeFileAtomic } from '../../fs/write-file-atomic';
import type { TopicPartitionOffset } from '../../ports/event-log';

const groupFileSchema = z.object({
  version: z.literal(1),
  groupId: z.string(),
  offsets: z.record(z.string(), z.record(z.string(), z.number().int().nonnegative())),
});

type GroupFile = z.infer<typeof groupFileSchema>;

/**
 * Committed offsets, one JSON file per consumer group in `dir` (which must
 * exist), replaced atomically on every commit. Commits of one group are serialized so each write sees the
 * previous one and two writes never race on the temp file.
 */
export class GroupOffsetStore {
  private readonly groups = new Map<string, Promise<GroupFile>>();
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly dir: string) {}

  async committed(groupId: string, topic: string, partitions: number): Promise<TopicPartitionOffset[]> {
    await this.queues.get(groupId);
    const state = await this.load(groupId);
    const byPartition = state.offsets[topic] ?? {};
    return Array.from({ length: partitions }, (_, partition) => ({
      topic,
      partition,
      offset: byPartition[String(partition)] ?? 0,
    }));
  }

  commit(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    const previous = this.queues.get(groupId) ?? Promise.resolve();
    const next = previous.then(async () => {
      const current = await this.load(groupId);
      const merged: GroupFile = { ...current, offsets: { ...current.offsets } };
      for (const { topic, partition, offset } of offsets) {
        merged.offsets[topic] = { ...merged.offsets[topic], [String(partition)]: offset };
      }
      await writeFileAtomic(this.file(groupId), `${JSON.stringify(merged, null, 2)}\n`);
      this.groups.set(groupId, Promise.resolve(merged));
    });
    const settled = next.catch(() => undefined);
    this.queues.set(groupId, settled);
    void settled.then(() => {
      if (this.queues.get(groupId) === settled) this.queues.delete(groupId);
    });
    return next;
  }

  /** Resolves when every commit issued so far has finished. */
  async drain(): Promise<void> {
    await Promise.all([...this.queues.values()]);
  }

  private file(groupId: string): string {
    return path.join(this.dir, `${groupId}.json`);
  }

  private load(groupId: string): Promise<GroupFile> {
    let state = this.groups.get(groupId);
    if (!state) {
      state = this.read(groupId);
      this.groups.set(groupId, state);
      state.catch(() => {
        this.groups.delete(groupId);
      });
    }
    return state;
  }

  private async read(groupId: string): Promise<GroupFile> {
    const file = this.file(groupId);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, groupId, offsets: {} };
      throw err;
    }
    let parsed: ReturnType<typeof groupFileSchema.safeParse>;
    try {
      parsed = groupFileSchema.safeParse(JSON.parse(text));
    } catch (err) {
      throw new StorageError('GROUP_OFFSETS_CORRUPT', `${file} is not valid JSON`, {
        cause: err,
        details: { file },
      });
    }
    if (!parsed.success || parsed.data.groupId !== groupId) {
      throw new StorageError('GROUP_OFFSETS_CORRUPT', `${file} does not hold offsets of group ${groupId}`, {
        cause: parsed.error,
        details: { file },
      });
    }
    return parsed.data;
  }
}
