import type { EventLog, ProducedRecord } from '../../../platform/ports/event-log';
import { TOPICS } from '../../../indexer/topics';
import { decodeEvent } from '../../../schemas/events';
import { seededRandom } from '../../../platform/seeded-random';
import { zipfSampler } from './seeded-random';
import { consumeAll } from './consume-all';

/** The ingest benchmark's synthetic upload events, and its read-and-validate baseline (both modes). */
const WORDS = ['golden', 'hour', 'with', 'friends', 'today', 'best', 'view', 'coffee', 'walk', 'again'];

export interface Flags {
  posts: number;
  users: number;
  locations: number;
  follows: number;
  tags: number;
  zipf: number;
  seed: number;
}

/** The events both ingest benches generate unless flags say otherwise. */
export const DEFAULT_FLAGS = {
  posts: 200_000,
  users: 20_000,
  locations: 2_000,
  follows: 100_000,
  tags: 100_000,
  zipf: 1.0,
  seed: 7,
} satisfies Flags;

export function generate(flags: Flags): { records: ProducedRecord[]; posts: number; tagsPerPost: number } {
  const random = seededRandom(flags.seed);
  const tag = zipfSampler(flags.tags, flags.zipf, random);
  const records: ProducedRecord[] = [];
  let n = 0;
  const t0 = Date.UTC(2026, 0, 1);
  const push = (key: string, body: Record<string, unknown>) => {
    n++;
    const event = { eventId: `b${n}`, occurredAt: new Date(t0 + n).toISOString(), ...body };
    records.push({ key, value: Buffer.from(JSON.stringify(event)) });
  };
  const userId = (i: number) => String(10_000_000 + i);
  for (let i = 0; i < flags.users; i++) {
    const user = { id: userId(i), username: `user${i}`, fullName: `User ${i}`, isPrivate: i % 10 === 0 };
    push(user.id, { type: 'user.upserted', user });
  }
  for (let i = 0; i < flags.locations; i++) {
    const location = { id: String(20_000_000 + i), name: `Place ${i}`, lat: 1, lon: 2 };
    push(location.id, { type: 'location.upserted', location });
  }
  for (let i = 0; i < flags.follows; i++) {
    const a = userId(Math.floor(random() * flags.users));
    const b = userId(Math.floor(random() * flags.users));
    if (a !== b) push(a, { type: 'follow.added', followerId: a, followeeId: b });
  }
  let tagCount = 0;
  for (let i = 0; i < flags.posts; i++) {
    const id = String(1_000_000_000_000 + i);
    const tags = new Set<number>();
    const want = 1 + Math.floor(random() * 6);
    while (tags.size < want) tags.add(tag());
    tagCount += tags.size;
    const words = Array.from({ length: 4 }, () => WORDS[Math.floor(random() * WORDS.length)]);
    const caption = `${words.join(' ')} ${[...tags].map((t) => `#t${t.toString(36)}`).join(' ')}`;
    const post = {
      id,
      authorId: userId(Math.floor(random() * flags.users)),
      caption,
      imageUrl: `https://img.example.com/${id}.jpg`,
      ...(random() < 0.3 ? { locationId: String(20_000_000 + Math.floor(random() * flags.locations)) } : {}),
      createdAt: new Date(t0 + i * 1000).toISOString(),
    };
    push(id, { type: 'post.published', post });
  }
  return { records, posts: flags.posts, tagsPerPost: tagCount / flags.posts };
}

/** Appends the generated events to POST_PUBLISH in batches of 5000. */
export async function appendEvents(log: EventLog, records: ProducedRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += 5000)
    await log.produce(TOPICS.postPublish, records.slice(i, i + 5000));
}

/** The baseline: every record read from the log and validated against the schemas, nothing applied. */
export async function readAndValidate(log: EventLog, total: number): Promise<void> {
  await consumeAll(log, {
    groupId: 'bench-baseline',
    topic: TOPICS.postPublish,
    total,
    maxBatchSize: 1000,
    eachRecord: (r) => void decodeEvent(r.value),
  });
}
