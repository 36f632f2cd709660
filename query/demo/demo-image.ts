import { createRandom, hashSeed, type DemoRandom } from './demo-random';

const SIZE = 1080;

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

/** HSL (degrees, percent, percent) to #rrggbb: hex colours work in every SVG renderer. */
function hsl(hue: number, saturation: number, lightness: number): string {
  const h = ((hue % 360) + 360) % 360;
  const s = saturation / 100;
  const l = lightness / 100;
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number): string => {
    const k = (n + h / 30) % 12;
    const value = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(value * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

/** A ridge of hills across the picture, closed along the bottom edge. */
function ridge(random: DemoRandom, base: number, roughness: number): string {
  const points = [`0,${SIZE}`];
  for (let x = 0; x <= SIZE; x += 135) {
    points.push(`${x},${Math.round(base + (random.next() - 0.5) * roughness)}`);
  }
  points.push(`${SIZE},${SIZE}`);
  return points.join(' ');
}

function landscape(random: DemoRandom, hue: number): string {
  const sunX = Math.round(random.between(200, 880));
  const sunY = Math.round(random.between(260, 560));
  const sunR = Math.round(random.between(70, 150));
  let out = `<circle cx="${sunX}" cy="${sunY}" r="${sunR}" fill="${hsl(hue + 40, 95, 80)}" fill-opacity="0.9"/>`;
  const layers = 2 + random.int(2);
  for (let i = 0; i < layers; i++) {
    const base = 620 + i * 120;
    const fill = hsl(hue + 180 + i * 12, 35, 40 - i * 10);
    out += `<polygon points="${ridge(random, base, 160 - i * 40)}" fill="${fill}" fill-opacity="0.85"/>`;
  }
  return out;
}

function bubbles(random: DemoRandom, hue: number): string {
  let out = '';
  const count = 4 + random.int(4);
  for (let i = 0; i < count; i++) {
    const cx = Math.round(random.between(0, SIZE));
    const cy = Math.round(random.between(0, SIZE));
    const r = Math.round(random.between(60, 320));
    const fill = hsl(hue + random.between(-60, 60), 70, random.between(55, 85));
    out += `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${fill}" fill-opacity="${random.between(0.25, 0.6).toFixed(2)}"/>`;
  }
  return out;
}

function waves(random: DemoRandom, hue: number): string {
  let out = `<circle cx="${Math.round(random.between(250, 830))}" cy="360" r="110" fill="${hsl(hue + 30, 90, 85)}"/>`;
  for (let i = 0; i < 3; i++) {
    const y = 600 + i * 140;
    const swell = Math.round(random.between(30, 70));
    const path = `M0 ${y} Q270 ${y - swell} 540 ${y} T${SIZE} ${y} V${SIZE} H0Z`;
    out += `<path d="${path}" fill="${hsl(hue + 190 + i * 8, 60, 45 - i * 9)}" fill-opacity="0.8"/>`;
  }
  return out;
}

const SCENES = [landscape, bubbles, waves];

/**
 * A placeholder photo for a demo post: a sky gradient and a simple scene,
 * both picked from the id, so every post has its own stable picture. Under
 * 2 KB, with nothing external and nothing executable; the id is escaped.
 */
export function renderDemoImage(id: string): string {
  const random = createRandom(hashSeed(id));
  const hue = random.int(360);
  const top = hsl(hue, 70, 68);
  const bottom = hsl(hue + random.between(20, 80), 75, 48);
  const scene = SCENES[random.int(SCENES.length)]!(random, hue);
  const label = escapeXml(`Demo photo ${id}`);
  // The gradient id is made from the hash so that inlined images cannot clash.
  const gradient = `g${hashSeed(id).toString(36)}`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}" role="img" aria-label="${label}">` +
    `<title>${label}</title>` +
    `<defs><linearGradient id="${gradient}" x1="0" y1="0" x2="0" y2="1">` +
    `<stop offset="0" stop-color="${top}"/><stop offset="1" stop-color="${bottom}"/></linearGradient></defs>` +
    `<rect width="${SIZE}" height="${SIZE}" fill="url(#${gradient})"/>${scene}</svg>`
  );
}
