import type { DemoPlace } from './demo-places';
import { zipf, type DemoRandom } from './demo-random';
import { DEMO_LOCALES, GLOBAL_TAGS, TAIL_HEADS, TAIL_TAILS, type DemoLocale } from './demo-vocabulary';

export const MAX_DEMO_TAGS = 6;

export interface DemoCaption {
  text: string;
  /** Hashtags as keyed by the indexer (lower-case NFC, no `#`), distinct. */
  tags: string[];
}

/**
 * Writes captions in a post's language: one or two phrases, then 1–6
 * hashtags drawn from skewed distributions (global, per-language and a long
 * tail of compound tags), so hashtag pages range from hundreds of posts to one.
 */
export class DemoCaptionWriter {
  private readonly global: () => number;
  private readonly local = new Map<string, () => number>();
  private readonly tail: string[];
  private readonly pickTail: () => number;

  constructor(private readonly random: DemoRandom) {
    this.global = zipf(GLOBAL_TAGS.length, 1, random);
    for (const locale of DEMO_LOCALES) this.local.set(locale.code, zipf(locale.tags.length, 0.9, random));
    const compounds = TAIL_HEADS.flatMap((head) => TAIL_TAILS.map((tail) => head + tail));
    this.tail = random.shuffled(compounds);
    this.pickTail = zipf(this.tail.length, 0.5, random);
  }

  write(locale: DemoLocale, place: DemoPlace | undefined): DemoCaption {
    const count = 1 + this.random.weighted([15, 20, 25, 20, 12, 8]);
    const tags: string[] = [];
    if (place?.tag !== undefined && this.random.chance(0.7)) tags.push(place.tag);
    for (let tries = 0; tags.length < count && tries < 50; tries++) {
      const tag = this.randomTag(locale);
      if (!tags.includes(tag)) tags.push(tag);
    }
    return { text: this.compose(locale, tags), tags };
  }

  /** A caption edit: one tag added or dropped, sometimes new wording; never the same text. */
  edit(locale: DemoLocale, previous: DemoCaption): DemoCaption {
    const tags = [...previous.tags];
    const grow = tags.length === 1 || (tags.length < MAX_DEMO_TAGS && this.random.chance(0.6));
    for (let tries = 0; grow && tags.length === previous.tags.length && tries < 50; tries++) {
      const tag = this.randomTag(locale);
      if (!tags.includes(tag)) tags.push(tag);
    }
    if (tags.length === previous.tags.length) {
      if (tags.length > 1) tags.splice(this.random.int(tags.length), 1);
      else tags[0] = this.tail.find((tag) => tag !== tags[0])!;
    }
    return { text: this.compose(locale, tags), tags };
  }

  private randomTag(locale: DemoLocale): string {
    const r = this.random.next();
    if (r < 0.35) return GLOBAL_TAGS[this.global()]!;
    if (r < 0.8) return locale.tags[this.local.get(locale.code)!()]!;
    return this.tail[this.pickTail()]!;
  }

  private compose(locale: DemoLocale, tags: readonly string[]): string {
    // Some people capitalise tags; the index keys fold case, so #Paris joins #paris.
    const shown = tags.map((tag) => `#${this.random.chance(0.12) ? capitalize(tag) : tag}`).join(' ');
    if (this.random.chance(0.04)) return shown;
    let words = this.random.pick(locale.phrases);
    if (this.random.chance(0.2)) {
      const more = this.random.pick(locale.phrases);
      if (more !== words) words += `\n${more}`;
    }
    return `${words}${this.random.chance(0.6) ? ' ' : '\n\n'}${shown}`;
  }
}

function capitalize(tag: string): string {
  const [first = '', ...rest] = [...tag];
  return first.toUpperCase() + rest.join('');
}
