/**
 * Load levels of a sweep or a capacity search, and the scenario each one runs (pure). A level
 * replaces the script's scenarios with one scenario named `level`:
 *  - concurrency c: `constant-vus` with c VUs for the level's duration (closed loop), or, with
 *    requestsPerLevel, `shared-iterations` of that many iterations among c VUs;
 *  - rate r: `constant-arrival-rate` at r iterations/s with Poisson arrivals (open loop), VUs
 *    pre-allocated for about 2 s of work and grown on demand up to maxVUs.
 * An iteration is one call of the script's default function (one request for most scripts).
 */
import { ConfigError } from '../errors.ts';
import { formatDuration } from '../options/duration.ts';

export type LoadKind = 'concurrency' | 'rate';

export interface LevelSpec {
  kind: LoadKind;
  value: number;
  /** shown in tables and the report; default `8 VUs` / `2.5 req/s` */
  label?: string;
}

export interface LevelShape {
  /** the measured part of a level */
  durationMs: number;
  /** run this long before it, unmeasured (connections, caches, the first burst); default 0 */
  warmupMs?: number;
  /** shared-iterations instead of a duration (concurrency levels) or an iteration cap (rate levels) */
  requestsPerLevel?: number;
  /** most VUs a rate level may use */
  maxVUs: number;
  gracefulStopMs: number;
  /** seed of the Poisson arrivals */
  seed?: number;
  exec?: string;
}

export const LEVEL_SCENARIO = 'level';

export function levelLabel(l: LevelSpec): string {
  if (l.label) return l.label;
  return l.kind === 'concurrency' ? `${l.value} VU${l.value === 1 ? '' : 's'}` : `${fmtRate(l.value)} req/s`;
}

/** A rate with at most 3 significant digits (never 0 for a positive rate). */
export function roundRate(r: number): number {
  return r > 0 && Number.isFinite(r) ? Number(r.toPrecision(3)) : r;
}

export function fmtRate(r: number): string {
  return String(roundRate(r));
}

/** "20s" or "200 requests (max 20s)" */
export function describeShape(s: LevelShape): string {
  const d = formatDuration(s.durationMs);
  const w = s.warmupMs ? ` after a ${formatDuration(s.warmupMs)} warm-up` : '';
  return (s.requestsPerLevel ? `${s.requestsPerLevel} iterations (at most ${d})` : d) + w;
}

/** The scenario override (RunRequest.scenarioOverride) of one level. */
export function levelScenario(l: LevelSpec, s: LevelShape): Record<string, Record<string, unknown>> {
  const total = Math.round(s.durationMs + (s.warmupMs ?? 0));
  const common: Record<string, unknown> = { gracefulStop: `${Math.round(s.gracefulStopMs)}ms`, ...(s.exec ? { exec: s.exec } : {}) };
  if (l.kind === 'concurrency') {
    const vus = Math.round(l.value);
    if (!(vus >= 1)) throw new ConfigError(`concurrency level ${l.value}: must be a whole number >= 1`);
    if (s.requestsPerLevel) {
      return { [LEVEL_SCENARIO]: { executor: 'shared-iterations', vus, iterations: Math.max(s.requestsPerLevel, vus), maxDuration: `${total}ms`, ...common } };
    }
    return { [LEVEL_SCENARIO]: { executor: 'constant-vus', vus, duration: `${total}ms`, ...common } };
  }
  if (!(l.value > 0) || !Number.isFinite(l.value)) throw new ConfigError(`rate level ${l.value}: must be a number > 0 (requests per second)`);
  const pre = Math.min(s.maxVUs, Math.max(2, Math.ceil(l.value * 2)));
  return {
    [LEVEL_SCENARIO]: {
      executor: 'constant-arrival-rate',
      rate: l.value,
      timeUnit: '1s',
      duration: `${total}ms`,
      arrival: 'poisson',
      seed: s.seed ?? 1,
      preAllocatedVUs: pre,
      maxVUs: Math.max(pre, s.maxVUs),
      ...(s.requestsPerLevel ? { iterations: s.requestsPerLevel } : {}),
      ...common,
    },
  };
}

/** Parses "1,2,4,8" (flags) or an array (options.sweep) into levels; `what` names the source in errors. */
export function parseLevelList(v: unknown, kind: LoadKind, what: string): LevelSpec[] {
  const items = Array.isArray(v) ? v : String(v).split(',');
  const out: LevelSpec[] = [];
  for (const raw of items) {
    const s = String(raw).trim();
    if (s === '') continue;
    const n = Number(s);
    if (kind === 'concurrency' && !(Number.isInteger(n) && n >= 1)) throw new ConfigError(`${what}: ${JSON.stringify(s)} is not a whole number >= 1 (write e.g. 1,2,4,8)`);
    if (kind === 'rate' && !(Number.isFinite(n) && n > 0)) throw new ConfigError(`${what}: ${JSON.stringify(s)} is not a rate > 0 in requests per second (write e.g. 1,2,5,10)`);
    out.push({ kind, value: n });
  }
  if (!out.length) throw new ConfigError(`${what}: give at least one level`);
  return out;
}

/**
 * GuideLLM's sweep: after a synchronous level (rate s) and a saturating one (rate t), `total - 2`
 * rates evenly spaced from s to t, s excluded and t included: linspace(s, t, total - 1)[1:].
 */
export function autoRates(syncRate: number, saturatedRate: number, total: number): number[] {
  const n = total - 1;
  if (n < 2 || !(syncRate > 0) || !(saturatedRate > 0)) return [];
  const out: number[] = [];
  for (let i = 1; i < n; i++) out.push(roundRate(syncRate + ((saturatedRate - syncRate) * i) / (n - 1)));
  return out;
}
