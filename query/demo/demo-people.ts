import { zipf, type DemoRandom } from './demo-random';
import {
  DEMO_LOCALES,
  HANDLE_WORDS,
  NAME_EMOJI,
  SHOWCASE_USERS,
  type DemoLocale,
  type DemoName,
} from './demo-vocabulary';

export interface DemoPerson {
  /** Popularity rank: 0 is the most followed. */
  index: number;
  username: string;
  fullName: string;
  isPrivate: boolean;
  locale: DemoLocale;
}

/** Follower → followee, as person indexes. */
export type DemoFollow = readonly [follower: number, followee: number];

const USERNAME_MAX = 30;
const LOCALE_WEIGHTS = DEMO_LOCALES.map((locale) => locale.weight);
// Celebrities rarely follow back; below this rank people often do.
const FOLLOW_BACK_FROM_RANK = 20;

function localeByCode(code: string): DemoLocale {
  return DEMO_LOCALES.find((locale) => locale.code === code)!;
}

/** A locale drawn by its share of users. */
export function randomLocale(random: DemoRandom): DemoLocale {
  return DEMO_LOCALES[random.weighted(LOCALE_WEIGHTS)]!;
}

const capitalize = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);

function fitUsername(base: string, taken: Set<string>): string {
  const trimmed = (base === '' ? 'user' : base).slice(0, USERNAME_MAX);
  let name = trimmed;
  // Typeahead folds case, so "Ana.Silva" and "ana.silva" would look like one person.
  for (let n = 2; taken.has(name.toLowerCase()); n++) {
    name = trimmed.slice(0, USERNAME_MAX - String(n).length) + n;
  }
  taken.add(name.toLowerCase());
  return name;
}

function usernameBase(random: DemoRandom, first: string, last: string): string {
  switch (random.int(8)) {
    case 0:
      return `${first}.${last}`;
    case 1:
      return `${first}_${last}`;
    case 2:
      return `${first}${last}`;
    case 3:
      return `${first}.${last}${random.int(100)}`;
    case 4:
      return `${first}_${random.pick(HANDLE_WORDS)}`;
    case 5:
      return `${last}.${first}`;
    case 6:
      return `${first}${last.charAt(0)}${1980 + random.int(30)}`;
    default:
      return `${capitalize(first)}${capitalize(last)}`;
  }
}

function randomPerson(random: DemoRandom, index: number, taken: Set<string>): DemoPerson {
  const locale = randomLocale(random);
  const first: DemoName = random.pick(locale.firstNames);
  const last: DemoName = random.pick(locale.lastNames);
  const suffix = first.female ? locale.femaleSurnameSuffix : undefined;
  const lastNative = last.native + (suffix?.native ?? '');
  const lastLatin = last.latin + (suffix?.latin ?? '');
  let fullName =
    locale.familyFirst === undefined
      ? `${first.native} ${lastNative}`
      : `${lastNative}${locale.familyFirst}${first.native}`;
  const style = random.next();
  if (style < 0.04) fullName = '';
  else if (style < 0.07) fullName = first.native;
  else if (style < 0.13) fullName = `${fullName} ${random.pick(NAME_EMOJI)}`;
  return {
    index,
    username: fitUsername(usernameBase(random, first.latin, lastLatin), taken),
    fullName,
    isPrivate: random.chance(0.05),
    locale,
  };
}

/** The showcase people first (public, most followed), then random ones. */
export function makePeople(random: DemoRandom, count: number): DemoPerson[] {
  const taken = new Set<string>();
  const people: DemoPerson[] = [];
  for (let index = 0; index < count; index++) {
    const showcase = SHOWCASE_USERS[index];
    if (showcase === undefined) {
      people.push(randomPerson(random, index, taken));
    } else {
      taken.add(showcase.username.toLowerCase());
      people.push({ ...showcase, index, isPrivate: false, locale: localeByCode(showcase.locale) });
    }
  }
  return people;
}

/**
 * A power-law follow graph: everyone follows 8–68 people picked by a Zipf
 * law over popularity rank, so the top accounts get hundreds of followers
 * and the tail a handful; a quarter of ordinary follows are returned.
 * Shuffled, so the event stream is not grouped by follower.
 */
export function makeFollows(random: DemoRandom, count: number): DemoFollow[] {
  if (count < 2) return [];
  const pickFollowee = zipf(count, 1, random);
  const seen = new Set<number>();
  const follows: DemoFollow[] = [];
  const add = (follower: number, followee: number): boolean => {
    const key = follower * count + followee;
    if (follower === followee || seen.has(key)) return false;
    seen.add(key);
    follows.push([follower, followee]);
    return true;
  };
  for (let follower = 0; follower < count; follower++) {
    const want = Math.min(count - 1, 8 + Math.floor(60 * random.next() ** 2));
    let got = 0;
    for (let tries = 0; got < want && tries < want * 20; tries++) {
      if (add(follower, pickFollowee())) got++;
    }
  }
  const oneWay = follows.length;
  for (let i = 0; i < oneWay; i++) {
    const [follower, followee] = follows[i]!;
    if (followee >= FOLLOW_BACK_FROM_RANK && random.chance(0.25)) add(followee, follower);
  }
  return random.shuffled(follows);
}
