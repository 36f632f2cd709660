import { BitmapFollower } from '../../indexer/postings/bitmap-follower';
import type { BitmapSnapshots } from '../../indexer/postings/bitmap-snapshots';
import type { Clock } from '../../platform/clock';
import { AppError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import type { EventLog } from '../../platform/ports/event-log';
import type { PostingIndex } from '../../query/engine/posting-index';

/**
 * The bitmaps as of the end of POSTINGS now: the newest snapshot (if any)
 * plus the records after it, applied by a private replica that never writes
 * snapshots. Pass no snapshots to replay POSTINGS from its start.
 */
export async function caughtUpBitmaps(
  log: EventLog,
  snapshots: BitmapSnapshots | undefined,
  options: { clock: Clock; signal?: AbortSignal; logger?: Logger },
): Promise<{ index: PostingIndex; position: number }> {
  const follower = await BitmapFollower.open({
    log,
    snapshots,
    readOnlySnapshots: true,
    groupId: `ops-bitmaps-${process.pid}-${Date.now().toString(36)}`,
    logger: options.logger,
    clock: options.clock,
  });
  await follower.start();
  try {
    while (!(await follower.caughtUp())) {
      if (options.signal?.aborted)
        throw new AppError('INTERRUPTED', 'interrupted; run the same command again');
      await options.clock.sleep(20);
    }
  } finally {
    await follower.stop();
  }
  return { index: follower.index, position: follower.position };
}
