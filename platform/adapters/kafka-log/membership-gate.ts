import type { Logger } from '../../logger';
import type { WriteInterceptor } from './kafka-client';

/** Kafka API keys (protocol spec): the requests that give up a member's partitions. */
const JOIN_GROUP = 11;
const LEAVE_GROUP = 13;

/**
 * Holds a consumer's JoinGroup and LeaveGroup requests until `beforeChange`
 * settles. kafkajs has no rebalance listener: it rejoins as soon as a
 * heartbeat reports a rebalance. Partitions only move once every member has
 * rejoined, and the broker still accepts commits of the old generation
 * meanwhile, so holding this member's request is what lets onRevoke flush
 * and commit before anyone else is assigned its partitions (as the Java
 * client's rebalance listener does). Other requests, such as those commits,
 * pass: kafkajs matches responses by correlation id, not by order.
 *
 * A request held past `dropAfterMs` is not sent: kafkajs has given up on it
 * and retried, and the broker has dropped this member anyway.
 */
export function membershipGate(
  beforeChange: () => Promise<void> | undefined,
  dropAfterMs: number,
  logger: Logger,
): WriteInterceptor {
  return (frame, write) => {
    const apiKey = frame.length >= 6 ? frame.readInt16BE(4) : -1;
    if (apiKey !== JOIN_GROUP && apiKey !== LEAVE_GROUP) return write(frame);
    const wait = beforeChange();
    if (!wait) return write(frame);
    const heldAt = Date.now();
    const release = () => {
      if (Date.now() - heldAt <= dropAfterMs) return write(frame);
      logger.warn({ apiKey, heldMs: Date.now() - heldAt }, 'dropping a group request held past its timeout');
    };
    wait.then(release, (err: unknown) => {
      logger.error({ err }, 'onRevoke failed; the partitions move on regardless');
      release();
    });
  };
}
