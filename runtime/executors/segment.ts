/**
 * Execution segments, as k6 defines them, to split one test across N instances with no coordinator.
 *
 *   --execution-segment 1/4:2/4          (also 25%:50%, or "1/4" meaning 0:1/4)
 *   --execution-segment-sequence 0,1/4,2/4,3/4,1
 *
 * Integer quantities (VUs, iterations, stage targets) are split by cumulative floors:
 * share(Q, [a,b)) = ⌊Q·b⌋ − ⌊Q·a⌋, computed on exact fractions, so the shares of all segments add up
 * to Q. Arrivals of arrival-rate executors are striped: every instance computes the same global
 * schedule and keeps arrival i when ((i mod L) + ½) / L falls in its segment, L being the least
 * common denominator of the sequence. Each block of L consecutive arrivals then gives every segment
 * exactly its share, and the union of all instances' start times is the single-instance schedule.
 * Give every instance the same --execution-segment-sequence (it fixes L).
 */
import { ConfigError } from '../errors.ts';

export interface Frac {
  n: number;
  d: number;
}

export interface ExecutionSegment {
  start: Frac;
  end: Frac;
  /** striping period: LCD of the sequence (or of the segment's own bounds) */
  period: number;
  /** index of this segment in the sequence (0-based), when a sequence was given */
  index: number | null;
  /** as written, for messages */
  text: string;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return Math.abs(a);
}
const lcm = (a: number, b: number) => (a / gcd(a, b)) * b;

export function parseFrac(s: string, what: string): Frac {
  const t = s.trim();
  let f: Frac | null = null;
  let m: RegExpExecArray | null;
  if ((m = /^(\d+)\/(\d+)$/.exec(t))) f = { n: Number(m[1]), d: Number(m[2]) };
  else if ((m = /^(\d+(?:\.\d+)?)%$/.exec(t))) {
    const dec = m[1]!.split('.')[1]?.length ?? 0;
    f = { n: Math.round(Number(m[1]) * 10 ** dec), d: 100 * 10 ** dec };
  } else if ((m = /^(\d+(?:\.\d+)?)$/.exec(t))) {
    const dec = m[1]!.split('.')[1]?.length ?? 0;
    f = { n: Math.round(Number(m[1]) * 10 ** dec), d: 10 ** dec };
  }
  if (!f || f.d === 0 || f.n > f.d) throw new ConfigError(`${what}: ${JSON.stringify(s)} is not a fraction between 0 and 1 (write 1/4, 25% or 0.25)`);
  const g = gcd(f.n, f.d) || 1;
  return { n: f.n / g, d: f.d / g };
}

const lt = (a: Frac, b: Frac) => a.n * b.d < b.n * a.d;
const eq = (a: Frac, b: Frac) => a.n * b.d === b.n * a.d;
const fmt = (f: Frac) => (f.n === 0 ? '0' : f.n === f.d ? '1' : `${f.n}/${f.d}`);

export function parseSegment(segment: string, sequence?: string): ExecutionSegment {
  const parts = segment.split(':');
  if (parts.length > 2) throw new ConfigError(`--execution-segment ${JSON.stringify(segment)}: write start:end, e.g. 1/4:2/4`);
  const start = parts.length === 2 ? parseFrac(parts[0]!, '--execution-segment') : { n: 0, d: 1 };
  const end = parseFrac(parts[parts.length - 1]!, '--execution-segment');
  if (!lt(start, end)) throw new ConfigError(`--execution-segment ${JSON.stringify(segment)}: the start must be below the end`);
  let period = lcm(start.d, end.d);
  let index: number | null = null;
  if (sequence !== undefined) {
    const pts = sequence.split(',').map((p) => parseFrac(p, '--execution-segment-sequence'));
    if (pts.length < 2 || !eq(pts[0]!, { n: 0, d: 1 }) || !eq(pts[pts.length - 1]!, { n: 1, d: 1 })) {
      throw new ConfigError(`--execution-segment-sequence ${JSON.stringify(sequence)}: must start at 0 and end at 1, e.g. 0,1/4,2/4,3/4,1`);
    }
    for (let i = 1; i < pts.length; i++) if (!lt(pts[i - 1]!, pts[i]!)) throw new ConfigError(`--execution-segment-sequence ${JSON.stringify(sequence)}: points must increase`);
    index = pts.findIndex((p, i) => i < pts.length - 1 && eq(p, start) && eq(pts[i + 1]!, end));
    if (index < 0) throw new ConfigError(`--execution-segment ${fmt(start)}:${fmt(end)} is not one of the segments of --execution-segment-sequence ${sequence}`);
    period = pts.reduce((a, p) => lcm(a, p.d), 1);
  }
  return { start, end, period, index, text: `${fmt(start)}:${fmt(end)}` };
}

/** This segment's share of an integer quantity; the shares of a sequence add up to q. */
export function scaleInt(q: number, seg: ExecutionSegment | undefined): number {
  if (!seg) return q;
  return Math.floor((q * seg.end.n) / seg.end.d) - Math.floor((q * seg.start.n) / seg.start.d);
}

/** Whether this segment owns global arrival number i (striping, see above). */
export function ownsArrival(i: number, seg: ExecutionSegment | undefined): boolean {
  if (!seg) return true;
  const L = seg.period;
  // position ((i mod L) + 1/2) / L compared with start and end, in integers
  const x2 = 2 * (i % L) + 1; // position * 2L
  return x2 * seg.start.d >= 2 * L * seg.start.n && x2 * seg.end.d < 2 * L * seg.end.n;
}

export function* ownedOffsets(offsets: Iterable<number>, seg: ExecutionSegment | undefined): Generator<number> {
  let i = 0;
  for (const o of offsets) {
    if (ownsArrival(i++, seg)) yield o;
  }
}

/** Whether this instance runs setup()/teardown() under --setup-once: the segment that starts at 0. */
export function isFirstSegment(seg: ExecutionSegment | undefined): boolean {
  return !seg || seg.start.n === 0;
}

/** How many of the first n global arrivals this segment owns. */
export function ownedCount(n: number, seg: ExecutionSegment | undefined): number {
  if (!seg) return n;
  const L = seg.period;
  const perBlock = (L * seg.end.n) / seg.end.d - (L * seg.start.n) / seg.start.d;
  let c = Math.floor(n / L) * perBlock;
  for (let i = Math.floor(n / L) * L; i < n; i++) if (ownsArrival(i, seg)) c++;
  return c;
}
