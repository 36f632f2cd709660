import { seededRandom } from '../../../platform/seeded-random';
import { zipfSampler } from './seeded-random';

/**
 * A synthetic social network in compressed sparse row form: list i of a kind
 * is members[offsets[i] .. offsets[i+1]), sorted ascending. Dense ids are the
 * arrival order, so low ids are early (and, for users, popular) accounts.
 */
export interface Csr {
  offsets: Uint32Array;
  members: Uint32Array;
}

export interface EngineCorpus {
  media: number;
  users: number;
  tags: number;
  locations: number;
  tagPostings: Csr;
  authorPostings: Csr;
  locPostings: Csr;
  follows: Csr;
  followers: Csr;
  isPublic: Uint8Array;
}

export interface CorpusOptions {
  media: number;
  users: number;
  tags: number;
  locations: number;
  avgTagsPerPost: number;
  avgFollows: number;
  seed: number;
}

export function csrList(csr: Csr, i: number): Uint32Array {
  return csr.members.subarray(csr.offsets[i]!, csr.offsets[i + 1]!);
}

/** Groups (key, member) pairs by key; members stay in input order, which is ascending here. */
function toCsr(keys: Uint32Array, members: Uint32Array, keyCount: number, length = keys.length): Csr {
  const offsets = new Uint32Array(keyCount + 1);
  for (let i = 0; i < length; i++) offsets[keys[i]! + 1]!++;
  for (let k = 0; k < keyCount; k++) offsets[k + 1]! += offsets[k]!;
  const fill = offsets.slice(0, keyCount);
  const out = new Uint32Array(length);
  for (let i = 0; i < length; i++) out[fill[keys[i]!]!++] = members[i]!;
  return { offsets, members: out };
}

export function generateCorpus(o: CorpusOptions): EngineCorpus {
  const random = seededRandom(o.seed);
  const tagRank = zipfSampler(o.tags, 1.0, random);
  const userRank = zipfSampler(o.users, 1.0, random);
  const posterRank = zipfSampler(o.users, 0.7, random);
  const locRank = zipfSampler(o.locations, 1.0, random);

  // Tags: 1..(2·avg−1) distinct per post, Zipf over the vocabulary.
  const maxTags = o.avgTagsPerPost * 2 - 1;
  let cap = o.media * o.avgTagsPerPost + 1024;
  let tagKeys = new Uint32Array(cap);
  let tagMedia = new Uint32Array(cap);
  let n = 0;
  const picked: number[] = [];
  const authorOf = new Uint32Array(o.media);
  const mediaIds = new Uint32Array(o.media);
  const locKeys: number[] = [];
  const locMedia: number[] = [];
  const isPublic = new Uint8Array(o.media);
  for (let m = 0; m < o.media; m++) {
    const k = 1 + Math.floor(random() * maxTags);
    picked.length = 0;
    while (picked.length < k) {
      const t = tagRank();
      if (!picked.includes(t)) picked.push(t);
    }
    if (n + k > cap) {
      cap *= 2;
      const grownKeys = new Uint32Array(cap);
      grownKeys.set(tagKeys);
      const grownMedia = new Uint32Array(cap);
      grownMedia.set(tagMedia);
      tagKeys = grownKeys;
      tagMedia = grownMedia;
    }
    for (const t of picked) {
      tagKeys[n] = t;
      tagMedia[n++] = m;
    }
    authorOf[m] = posterRank();
    mediaIds[m] = m;
    if (random() < 0.3) {
      locKeys.push(locRank());
      locMedia.push(m);
    }
    isPublic[m] = random() < 0.9 ? 1 : 0;
  }
  const tagPostings = toCsr(tagKeys, tagMedia, o.tags, n);
  const authorPostings = toCsr(authorOf, mediaIds, o.users);
  const locPostings = toCsr(Uint32Array.from(locKeys), Uint32Array.from(locMedia), o.locations);

  // Follows: 1..(2·avg−1) per user, Zipf over users, so celebrities have huge follower lists.
  const maxFollows = o.avgFollows * 2 - 1;
  let edgeCap = o.users * o.avgFollows + 1024;
  let src = new Uint32Array(edgeCap);
  let dst = new Uint32Array(edgeCap);
  let e = 0;
  const seen = new Set<number>();
  for (let u = 0; u < o.users; u++) {
    const k = 1 + Math.floor(random() * maxFollows);
    seen.clear();
    while (seen.size < k) {
      const v = userRank();
      if (v !== u) seen.add(v);
    }
    if (e + k > edgeCap) {
      edgeCap *= 2;
      const s2 = new Uint32Array(edgeCap);
      s2.set(src);
      const d2 = new Uint32Array(edgeCap);
      d2.set(dst);
      src = s2;
      dst = d2;
    }
    const sorted = Uint32Array.from(seen).sort();
    for (const v of sorted) {
      src[e] = u;
      dst[e++] = v;
    }
  }
  const follows: Csr = toCsr(src, dst, o.users, e);
  const followers: Csr = toCsr(dst, src, o.users, e);
  return {
    media: o.media,
    users: o.users,
    tags: o.tags,
    locations: o.locations,
    tagPostings,
    authorPostings,
    locPostings,
    follows,
    followers,
    isPublic,
  };
}

/** The corpus the engine benchmarks build from their flags: 8 tags a post on average. */
export function corpusOfFlags(flags: {
  media: number;
  users: number;
  tags: number;
  locations: number;
  follows: number;
  seed: number;
}): EngineCorpus {
  const { media, users, tags, locations, follows, seed } = flags;
  return generateCorpus({ media, users, tags, locations, avgTagsPerPost: 8, avgFollows: follows, seed });
}
