import type {
  ConsumerOptions,
  EventLog,
  LogConsumer,
  ProducedRecord,
  TopicPartitionOffset,
} from '../../../platform/ports/event-log';
import { AppError } from '../../../platform/errors';

/**
 * The real log for a private rebuild: consumers join `<group>-<suffix>`
 * instead of the live group (so the live consumers are not rebalanced and
 * their group offsets stay theirs), and producing is refused.
 */
export function privateGroupLog(log: EventLog, suffix: string): EventLog {
  return {
    ensureTopic: (topic, options) => log.ensureTopic(topic, options),
    partitionCount: (topic) => log.partitionCount(topic),
    produce: async (topic: string, _records: ProducedRecord[]): Promise<TopicPartitionOffset[]> => {
      throw new AppError('PRIVATE_LOG_READ_ONLY', `a rebuild tried to produce to ${topic}`);
    },
    endOffsets: (topic) => log.endOffsets(topic),
    offsetsForTimestamp: (topic, ts) => log.offsetsForTimestamp(topic, ts),
    consumer: (options: ConsumerOptions): LogConsumer =>
      log.consumer({ ...options, groupId: `${options.groupId}-${suffix}` }),
    close: async () => undefined,
  };
}
