/**
 * Options of the built-in mock LLM server: the public types, their defaults, validation of a
 * programmatic `Partial<MockOptions>`, and parsing from CLI-ish strings (`parseMockOptions`).
 *
 * Timing model (see scheduler.ts / stream.ts): for a request received at t_recv, the first content
 * event is due at t_recv + ttft and content event i at t_recv + ttft + i*itl (absolute deadlines).
 *
 * Load mode: a request arriving while k other generation requests are in flight (not counting
 * itself) gets, fixed at arrival,
 *     ttft = ttftMs + k * ttftPerInflightMs
 *     itl  = itlMs  + k * itlPerInflightMs
 */
import { ConfigError } from '../errors.ts';
import { parseDuration } from '../options/duration.ts';

export const FAULT_NAMES = [
  'http_429', 'http_500', 'http_503', 'reset', 'stall', 'bad_sse', 'bad_json', 'no_done',
  'slow_headers', 'long_output', 'jitter',
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

/** Probability (0..1) per fault, drawn per request from the seeded RNG, plus fault parameters. */
export type FaultRates = Partial<Record<FaultName, number>> & {
  /** How long a `stall` pauses the stream, ms. Default 2000. */
  stallMs?: number;
  /** How long `slow_headers` delays the status line and headers, ms. Default 1000. */
  slowHeadersMs?: number;
};

export interface MockOptions {
  host: string;
  port: number;
  ttftMs: number;
  itlMs: number;
  /** Fixed, or a range drawn uniformly (integers, inclusive) per request from the seeded RNG. */
  outputTokens: number | { min: number; max: number };
  tokensPerChunk: number;
  /** How many due SSE events go into one socket write when several are due together (itl=0). */
  eventsPerWrite: number;
  /** Send the usage chunk when the request asks with stream_options.include_usage. */
  usage: boolean;
  model: string;
  seed: number;
  /** JSONL, one line per finished request (appended; buffered; flushed on close()). */
  traceFile?: string;
  faults?: FaultRates;
  /** Slow-down-with-load mode; see the formula at the top of this file. */
  load?: { ttftPerInflightMs: number; itlPerInflightMs: number };
  /** Jitter as a fraction (0.2 = ±20%): each delay is multiplied by uniform(1-j, 1+j). */
  jitterPct?: number;
}

export const DEFAULT_STALL_MS = 2000;
export const DEFAULT_SLOW_HEADERS_MS = 1000;
/** Jitter used by the `jitter` fault when `jitterPct` is not set. */
export const DEFAULT_FAULT_JITTER = 0.5;

export const MOCK_DEFAULTS: Readonly<MockOptions> = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  ttftMs: 50,
  itlMs: 10,
  outputTokens: 64,
  tokensPerChunk: 1,
  eventsPerWrite: 1,
  usage: true,
  model: 'mock-llm',
  seed: 1,
});

/** Merges with defaults and validates; throws ConfigError naming the option to fix. */
export function resolveMockOptions(opts: Partial<MockOptions> = {}): MockOptions {
  const o: MockOptions = { ...MOCK_DEFAULTS, ...stripUndefined(opts) };
  if (typeof o.host !== 'string' || o.host === '') throw new ConfigError('mock host: must be a non-empty string');
  checkInt(o.port, 'port', 0, 65535);
  checkNum(o.ttftMs, 'ttft');
  checkNum(o.itlMs, 'itl');
  if (typeof o.outputTokens === 'number') checkInt(o.outputTokens, 'output-tokens', 1);
  else if (o.outputTokens && typeof o.outputTokens === 'object') {
    checkInt(o.outputTokens.min, 'output-tokens min', 1);
    checkInt(o.outputTokens.max, 'output-tokens max', 1);
    if (o.outputTokens.min > o.outputTokens.max) throw new ConfigError(`mock output-tokens: range ${o.outputTokens.min}-${o.outputTokens.max} has min > max`);
  } else throw new ConfigError('mock output-tokens: must be a number or {min, max}');
  checkInt(o.tokensPerChunk, 'tokens-per-chunk', 1);
  checkInt(o.eventsPerWrite, 'events-per-write', 1);
  if (typeof o.usage !== 'boolean') throw new ConfigError('mock usage: must be true or false');
  if (typeof o.model !== 'string' || o.model === '') throw new ConfigError('mock model: must be a non-empty string');
  if (!Number.isFinite(o.seed)) throw new ConfigError('mock seed: must be a number');
  if (o.jitterPct !== undefined) {
    checkNum(o.jitterPct, 'jitter');
    if (o.jitterPct >= 1) throw new ConfigError(`mock jitter: ${o.jitterPct} is a fraction in [0, 1) (0.2 = ±20%)`);
  }
  if (o.load) {
    checkNum(o.load.ttftPerInflightMs, 'ttft-per-inflight');
    checkNum(o.load.itlPerInflightMs, 'itl-per-inflight');
  }
  if (o.faults) {
    for (const [k, v] of Object.entries(o.faults)) {
      if (v === undefined) continue;
      if (k === 'stallMs' || k === 'slowHeadersMs') { checkNum(v, k); continue; }
      if (!(FAULT_NAMES as readonly string[]).includes(k)) throw unknownFault(k);
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new ConfigError(`mock fault ${k}: rate ${v} must be between 0 and 1`);
    }
  }
  return o;
}

export function unknownFault(name: string): ConfigError {
  return new ConfigError(`mock fault: unknown fault ${JSON.stringify(name)} (valid: ${FAULT_NAMES.join(', ')})`);
}

/**
 * Options from CLI-ish values (yargs argv: kebab or camel keys, strings or numbers). Only the keys
 * present are returned. Durations need a unit ("200ms", "1.5s"; a bare "0" is allowed); numbers
 * given as JS numbers are ms. Output tokens: "128" or a range "64-256". Faults: "name=rate" (rate
 * 0..1 or "10%"), repeated or comma-separated, plus stall / slow-headers durations. Jitter: "0.2" or "20%".
 */
export function parseMockOptions(raw: Record<string, unknown>): Partial<MockOptions> {
  const get = (...names: string[]): unknown => {
    for (const n of names) if (raw[n] !== undefined && raw[n] !== null) return raw[n];
    return undefined;
  };
  const out: Partial<MockOptions> = {};
  const host = get('host');
  if (host !== undefined) out.host = String(host);
  const port = get('port');
  if (port !== undefined) out.port = toInt(port, 'port', 0, 65535);
  const ttft = get('ttft', 'ttftMs', 'ttft-ms');
  if (ttft !== undefined) out.ttftMs = toMs(ttft, 'ttft');
  const itl = get('itl', 'itlMs', 'itl-ms');
  if (itl !== undefined) out.itlMs = toMs(itl, 'itl');
  const ot = get('output-tokens', 'outputTokens');
  if (ot !== undefined) out.outputTokens = parseTokens(ot);
  const tpc = get('tokens-per-chunk', 'tokensPerChunk');
  if (tpc !== undefined) out.tokensPerChunk = toInt(tpc, 'tokens-per-chunk', 1);
  const epw = get('events-per-write', 'eventsPerWrite');
  if (epw !== undefined) out.eventsPerWrite = toInt(epw, 'events-per-write', 1);
  const usage = get('usage');
  if (usage !== undefined) out.usage = toBool(usage, 'usage');
  const model = get('model');
  if (model !== undefined) out.model = String(model);
  const seed = get('seed');
  if (seed !== undefined) out.seed = toInt(seed, 'seed', -(2 ** 31));
  const trace = get('trace-file', 'traceFile', 'trace');
  if (trace !== undefined && trace !== '') out.traceFile = String(trace);
  const jitter = get('jitter', 'jitterPct', 'jitter-pct');
  if (jitter !== undefined) out.jitterPct = toFraction(jitter, 'jitter', true);

  const tpi = get('ttft-per-inflight', 'ttftPerInflight', 'ttftPerInflightMs');
  const ipi = get('itl-per-inflight', 'itlPerInflight', 'itlPerInflightMs');
  if (tpi !== undefined || ipi !== undefined) {
    out.load = {
      ttftPerInflightMs: tpi === undefined ? 0 : toMs(tpi, 'ttft-per-inflight'),
      itlPerInflightMs: ipi === undefined ? 0 : toMs(ipi, 'itl-per-inflight'),
    };
  }

  const faults: FaultRates = {};
  let anyFault = false;
  const f = get('fault', 'faults');
  if (f !== undefined) {
    anyFault = true;
    if (typeof f === 'object' && !Array.isArray(f)) {
      for (const [k, v] of Object.entries(f as Record<string, unknown>)) setFault(faults, k, v);
    } else {
      const items = (Array.isArray(f) ? f : [f]).flatMap((x) => String(x).split(',')).map((s) => s.trim()).filter(Boolean);
      for (const item of items) {
        const eq = item.indexOf('=');
        if (eq < 0) throw new ConfigError(`mock --fault: ${JSON.stringify(item)} must be name=rate, e.g. --fault http_500=0.1 (valid names: ${FAULT_NAMES.join(', ')})`);
        setFault(faults, item.slice(0, eq).trim(), item.slice(eq + 1).trim());
      }
    }
  }
  const stall = get('stall', 'stallMs', 'stall-ms');
  if (stall !== undefined) { anyFault = true; faults.stallMs = toMs(stall, 'stall'); }
  const slow = get('slow-headers', 'slowHeaders', 'slowHeadersMs');
  if (slow !== undefined) { anyFault = true; faults.slowHeadersMs = toMs(slow, 'slow-headers'); }
  if (anyFault) out.faults = faults;
  return out;
}

function setFault(faults: FaultRates, name: string, value: unknown): void {
  if (name === 'stallMs' || name === 'stall_ms') { faults.stallMs = toMs(value, 'stall'); return; }
  if (name === 'slowHeadersMs' || name === 'slow_headers_ms') { faults.slowHeadersMs = toMs(value, 'slow-headers'); return; }
  if (!(FAULT_NAMES as readonly string[]).includes(name)) throw unknownFault(name);
  faults[name as FaultName] = toFraction(value, `fault ${name}`, false);
}

function parseTokens(v: unknown): number | { min: number; max: number } {
  if (typeof v === 'object' && v !== null && 'min' in v && 'max' in v) {
    const r = v as { min: unknown; max: unknown };
    return checkRange(toInt(r.min, 'output-tokens min', 1), toInt(r.max, 'output-tokens max', 1));
  }
  const s = String(v).trim();
  const m = /^(\d+)\s*(?:-|\.\.)\s*(\d+)$/.exec(s);
  if (m) return checkRange(Number(m[1]), Number(m[2]));
  return toInt(s, 'output-tokens', 1);
}

function checkRange(min: number, max: number): { min: number; max: number } {
  if (min < 1) throw new ConfigError(`mock output-tokens: range ${min}-${max} must start at 1 or more`);
  if (min > max) throw new ConfigError(`mock output-tokens: range ${min}-${max} has min > max (write e.g. 64-256)`);
  return { min, max };
}

/** A duration in ms: JS numbers are ms; strings need a unit (a bare "200" is ambiguous). */
function toMs(v: unknown, what: string): number {
  if (typeof v === 'number') return parseDuration(v, `mock ${what}`);
  const s = String(v).trim();
  if (/^\d+(\.\d+)?$/.test(s)) {
    if (Number(s) === 0) return 0;
    throw new ConfigError(`mock ${what}: ${JSON.stringify(s)} has no unit (write e.g. "${s}ms" or "${s}s")`);
  }
  return parseDuration(s, `mock ${what}`);
}

function toInt(v: unknown, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = typeof v === 'number' ? v : /^\s*-?\d+\s*$/.test(String(v)) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`mock ${what}: ${JSON.stringify(v)} must be an integer${max < Number.MAX_SAFE_INTEGER ? ` from ${min} to ${max}` : ` >= ${min}`}`);
  }
  return n;
}

/** A fraction 0..1, from a number, "0.1" or "10%". `open` rejects 1 itself (jitter). */
function toFraction(v: unknown, what: string, open: boolean): number {
  const s = String(v).trim();
  const n = s.endsWith('%') ? Number(s.slice(0, -1)) / 100 : typeof v === 'number' ? v : s === '' ? NaN : Number(s);
  if (!Number.isFinite(n) || n < 0 || (open ? n >= 1 : n > 1)) {
    throw new ConfigError(`mock ${what}: ${JSON.stringify(v)} must be a fraction between 0 and 1${open ? ' (exclusive)' : ''}, e.g. 0.1 or 10%`);
  }
  return n;
}

function toBool(v: unknown, what: string): boolean {
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(s)) return true;
  if (['false', '0', 'no', 'off'].includes(s)) return false;
  throw new ConfigError(`mock ${what}: ${JSON.stringify(v)} must be true or false`);
}

function checkNum(v: unknown, what: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ConfigError(`mock ${what}: ${JSON.stringify(v)} must be a non-negative number (ms)`);
}

function checkInt(v: unknown, what: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ConfigError(`mock ${what}: ${JSON.stringify(v)} must be an integer >= ${min}${max < Number.MAX_SAFE_INTEGER ? ` and <= ${max}` : ''}`);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const r: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (r as Record<string, unknown>)[k] = v;
  return r;
}
