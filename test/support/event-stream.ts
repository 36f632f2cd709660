import { seededRandom } from '../../platform/seeded-random';

/** A tag the generator writes into captions, and the key the indexer must derive from it. */
export const STREAM_TAGS: { spelling: string; key: string }[] = [
  { spelling: 'Sun', key: 'sun' },
  { spelling: 'sea', key: 'sea' },
  { spelling: 'BEACH', key: 'beach' },
  { spelling: 'cat', key: 'cat' },
  { spelling: 'Café', key: 'café' },
  { spelling: 'München', key: 'münchen' },
  { spelling: 'ねこ', key: 'ねこ' },
  { spelling: 'food', key: 'food' },
];

export interface GeneratedEvent {
  /** The raw event as the post service would send it (may be invalid on purpose). */
  raw: Record<string, unknown>;
  key: string;
  valid: boolean;
  /** For captions: the tag keys the caption carries, known to the generator without parsing. */
  tagKeys?: string[];
}

/**
 * A random but reproducible stream of upload events over small id pools, so
 * that the same entities are created, renamed, followed, edited and deleted
 * many times. Includes republished duplicates and invalid events.
 */
export function generateEventStream(
  seed: number,
  count: number,
  options: { duplicates?: boolean } = {},
): GeneratedEvent[] {
  const random = seededRandom(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;
  const users = Array.from({ length: 10 }, (_, i) => String(7_000_000_000_000_000_000n + BigInt(i) * 11n));
  const locations = Array.from({ length: 4 }, (_, i) => String(9_000_000 + i));
  const media = Array.from({ length: 60 }, (_, i) => String(1_000_000_000_000_000_000n + BigInt(i) * 4099n));
  const out: GeneratedEvent[] = [];
  let n = 0;
  const envelope = (type: string) => ({
    type,
    eventId: `e-${seed}-${n++}`,
    occurredAt: new Date(1_700_000_000_000 + n * 1000).toISOString(),
  });
  const caption = () => {
    const chosen = STREAM_TAGS.filter(() => random() < 0.3);
    const words = chosen.map((t) => `#${t.spelling}`);
    return { text: `Day out ${words.join(' ')} nice`.trim(), keys: chosen.map((t) => t.key) };
  };
  for (let i = 0; i < count; i++) {
    const r = random();
    if (r < 0.03 && out.length > 0 && options.duplicates !== false) {
      // The post service publishes an event twice: same eventId.
      out.push({ ...pick(out) });
      continue;
    }
    if (r < 0.06) {
      const raw = { ...envelope('post.deleted'), postId: random() < 0.5 ? '012' : 'not-an-id' };
      out.push({ raw, key: 'bad', valid: false });
      continue;
    }
    if (r < 0.4) {
      const id = pick(media);
      const c = caption();
      const raw = {
        ...envelope('post.published'),
        post: {
          id,
          authorId: pick(users),
          caption: c.text,
          imageUrl: `/img/${id}.svg`,
          ...(random() < 0.5 ? { locationId: pick(locations) } : {}),
          createdAt: new Date(1_600_000_000_000 + i * 1000).toISOString(),
        },
      };
      out.push({ raw, key: id, valid: true, tagKeys: c.keys });
    } else if (r < 0.5) {
      const id = pick(media);
      const c = caption();
      out.push({
        raw: { ...envelope('post.updated'), post: { id, caption: c.text } },
        key: id,
        valid: true,
        tagKeys: c.keys,
      });
    } else if (r < 0.6) {
      const id = pick(media);
      out.push({ raw: { ...envelope('post.deleted'), postId: id }, key: id, valid: true });
    } else if (r < 0.72) {
      const id = pick(users);
      const user = {
        id,
        username: `user_${Math.floor(random() * 5)}`,
        fullName: pick(['Ana Lima', 'Bo Chen', 'Zoë Müller']),
        isPrivate: random() < 0.3,
      };
      out.push({ raw: { ...envelope('user.upserted'), user }, key: id, valid: true });
    } else if (r < 0.9) {
      const a = pick(users);
      let b = pick(users);
      if (b === a) b = users[(users.indexOf(a) + 1) % users.length]!;
      const type = random() < 0.7 ? 'follow.added' : 'follow.removed';
      out.push({ raw: { ...envelope(type), followerId: a, followeeId: b }, key: a, valid: true });
    } else {
      const id = pick(locations);
      const location = {
        id,
        name: pick(['Lisboa', 'Berlin', 'Kyoto', 'São Paulo']),
        ...(random() < 0.5 ? { lat: 38.7, lon: -9.1 } : {}),
      };
      out.push({ raw: { ...envelope('location.upserted'), location }, key: id, valid: true });
    }
  }
  return out;
}
