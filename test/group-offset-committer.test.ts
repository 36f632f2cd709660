import { GroupOffsetCommitter } from '../indexer/counting/group-offset-committer';
import { TOPIC } from './support/counting-worker-fixtures';
import { pollUntil } from './support/poll';

describe('GroupOffsetCommitter', () => {
  it('commits in the background, one at a time, folding offers made meanwhile into the next', async () => {
    const calls: { partition: number; offset: number }[][] = [];
    const gates: (() => void)[] = [];
    const errors: unknown[] = [];
    const committer = new GroupOffsetCommitter(
      TOPIC,
      async (offsets) => {
        calls.push(offsets.map(({ partition, offset }) => ({ partition, offset })));
        await new Promise<void>((resolve) => gates.push(resolve));
        if (offsets.some((o) => o.offset === 13)) throw new Error('broker said no');
      },
      (err) => errors.push(err),
    );
    committer.offer(0, 10);
    committer.offer(1, 5);
    await pollUntil(() => calls.length === 1, 'the first commit');
    // Offered while the first commit runs: one more commit, with the newest offset per partition.
    committer.offer(0, 12);
    committer.offer(0, 13);
    committer.offer(2, 7);
    const settled = committer.settled();
    gates.shift()!();
    await pollUntil(() => calls.length === 2, 'the second commit');
    gates.shift()!();
    await settled;
    expect(calls).toEqual([
      [
        { partition: 0, offset: 10 },
        { partition: 1, offset: 5 },
      ],
      [
        { partition: 0, offset: 13 },
        { partition: 2, offset: 7 },
      ],
    ]);
    expect(errors).toHaveLength(1);
    // A failed commit does not stop later ones.
    committer.offer(0, 14);
    await pollUntil(() => calls.length === 3, 'a commit after the failure');
    gates.shift()!();
    await committer.settled();
    expect(calls[2]).toEqual([{ partition: 0, offset: 14 }]);
  });
});
