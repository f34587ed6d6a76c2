/**
 * Small seeded PRNG for synthetic datasets: the same seed gives the same prompts on every machine.
 * mulberry32 over a seed mixed from any number of parts (numbers or strings).
 */
import { mulberry32 } from '../rng.ts';

/** A uniform float in [0, 1). */
export type Rand = () => number;

/** FNV-1a over the parts' text, then a murmur3 finaliser: a 32-bit seed. */
export function mixSeed(...parts: Array<number | string>): number {
  let h = 0x811c9dc5;
  const text = parts.join('\u0001');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A generator seeded from `parts` (mulberry32). */
export function seeded(...parts: Array<number | string>): Rand {
  return mulberry32(mixSeed(...parts));
}

/** A uniform integer in [lo, hi] (both inclusive). */
export function randInt(rand: Rand, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

/** Shuffles `items` in place (Fisher–Yates) and returns it. */
export function shuffle<T>(items: T[], rand: Rand): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
