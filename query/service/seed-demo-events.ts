import { eventKey } from '../../indexer/event-key';
import { TOPICS } from '../../indexer/topics';
import type { Clock } from '../../platform/clock';
import type { EventLog } from '../../platform/ports/event-log';
import { parseEvents } from '../../schemas/events';
import { generateDemoEvents } from '../demo/demo-events';

/** Appends the demo events to POST_PUBLISH, in batches of 1000; returns how many. */
export async function seedDemoEvents(log: EventLog, clock: Clock): Promise<number> {
  const events = parseEvents(generateDemoEvents({ now: clock.now() }));
  for (let i = 0; i < events.length; i += 1000) {
    await log.produce(
      TOPICS.postPublish,
      events.slice(i, i + 1000).map((e) => ({ key: eventKey(e), value: Buffer.from(JSON.stringify(e)) })),
    );
  }
  return events.length;
}
