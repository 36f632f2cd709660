import type { ConsumerHandlers, EventLog, LogConsumer } from '../../platform/ports/event-log';

/** The same log, except that every consumer runs the handlers `wrap` makes of its own. */
export function interceptConsumers(
  log: EventLog,
  wrap: (handlers: ConsumerHandlers) => ConsumerHandlers,
): EventLog {
  const consumer = (options: Parameters<EventLog['consumer']>[0]): LogConsumer => {
    const inner = log.consumer(options);
    return {
      run: (handlers) => inner.run(wrap(handlers)),
      commit: (offsets) => inner.commit(offsets),
      committed: (topic) => inner.committed(topic),
      stop: () => inner.stop(),
    };
  };
  return {
    ensureTopic: (topic, options) => log.ensureTopic(topic, options),
    partitionCount: (topic) => log.partitionCount(topic),
    produce: (topic, records) => log.produce(topic, records),
    endOffsets: (topic) => log.endOffsets(topic),
    offsetsForTimestamp: (topic, ts) => log.offsetsForTimestamp(topic, ts),
    consumer,
    close: () => log.close(),
  };
}
