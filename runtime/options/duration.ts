/**
 * Durations as k6 writes them: a sequence of <number><unit> with units h, m, s, ms, us/µs, ns
 * ("1m30s", "500ms", "1.5s", "2h"). A bare number is milliseconds when given as a JS number and
 * seconds when given as a string (k6 treats a bare "30" as 30s).
 */
import { ConfigError } from '../errors.ts';

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, 'µs': 0.001, ns: 0.000001 };
const PART_RE = /(\d+(?:\.\d+)?|\.\d+)(h|ms|m|s|us|µs|ns)/y;

/** Parses a duration to milliseconds. `what` names the option in the error message. */
export function parseDuration(input: string | number, what = 'duration'): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new ConfigError(`${what}: ${input} is not a valid duration (use a non-negative number of ms or a string like "30s")`);
    return input;
  }
  const s = String(input).trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  if (s === '') throw new ConfigError(`${what}: empty duration (write e.g. "30s", "1m30s", "500ms")`);
  let total = 0;
  PART_RE.lastIndex = 0;
  let pos = 0;
  while (pos < s.length) {
    PART_RE.lastIndex = pos;
    const m = PART_RE.exec(s);
    if (!m) throw new ConfigError(`${what}: ${JSON.stringify(input)} is not a valid duration at "${s.slice(pos)}" (write e.g. "30s", "1m30s", "500ms"; units h m s ms us ns)`);
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    pos = PART_RE.lastIndex;
  }
  return total;
}

/** Formats ms the way k6 prints durations: 1m30s, 2.5s, 150ms, 820µs. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return '-' + formatDuration(-ms);
  if (ms < 1) return `${round(ms * 1000, 2)}µs`;
  if (ms < 1000) return `${round(ms, 2)}ms`;
  if (ms < 60_000) return `${round(ms / 1000, 2)}s`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = round((ms % 60_000) / 1000, 1);
  return `${h ? `${h}h` : ''}${m || h ? `${m}m` : ''}${s ? `${s}s` : ''}` || '0s';
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
