import type { TopicPartitionOffset } from '../../platform/ports/event-log';

/**
 * Commits a consumer's group offsets in the background, one commit at a
 * time, each carrying the newest offset offered per partition. Group offsets
 * only report lag (the checkpoint stored with the state is what a restart
 * reads), so a flush need not wait for them, and commits offered while one
 * runs fold into the next instead of queueing one by one.
 */
export class GroupOffsetCommitter {
  private readonly pending = new Map<number, number>();
  private running: Promise<void> | undefined;

  constructor(
    private readonly topic: string,
    private readonly commit: (offsets: TopicPartitionOffset[]) => Promise<void>,
    private readonly onError: (err: unknown) => void,
  ) {}

  offer(partition: number, offset: number): void {
    this.pending.set(partition, offset);
    this.running ??= this.run();
  }

  /** Resolves once everything offered so far has been committed or has failed. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private async run(): Promise<void> {
    // Let offers made in the same tick join the first commit.
    await Promise.resolve();
    try {
      while (this.pending.size > 0) {
        const offsets = [...this.pending].map(([partition, offset]) => ({
          topic: this.topic,
          partition,
          offset,
        }));
        this.pending.clear();
        try {
          await this.commit(offsets);
        } catch (err) {
          this.onError(err);
        }
      }
    } finally {
      this.running = undefined;
    }
  }
}
