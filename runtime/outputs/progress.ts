/**
 * Live progress on stderr. On a TTY: one line per scenario, redrawn every engine tick (1 s), then a
 * final line per scenario. Elsewhere (CI logs, pipes): plain lines every `intervalMs` (10 s), or
 * every `everyNRequests` requests when given. onRecord is O(1); rendering happens on ticks.
 *
 * A line fits the terminal's width (80 columns when it says nothing): fields are shortened, then
 * dropped, least important first (fitLine). The time shown is `elapsed/end`, where the end is the
 * plan's for duration-based executors and an estimate from the progress so far (marked `~`) for
 * iteration-based ones. Colours (colour.ts: FORCE_COLOR, NO_COLOR, a TTY) mark the bar, the errors
 * and how the run ended.
 */
import type { RunStartInfo, RunTick } from '../engine/run.ts';
import type { SampleListener } from '../engine/emitter.ts';
import type { RequestRecord } from '../llm/types.ts';
import { colorEnabled, paint, type Paint } from './color.ts';

export interface ProgressStream {
  write(s: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** auto (default): tty when the stream is a TTY, else plain */
  mode?: 'auto' | 'tty' | 'plain';
  stream?: ProgressStream;
  /** plain mode: a line every this many ms (default 10000) */
  intervalMs?: number;
  /** plain mode: a line every N completed requests instead */
  everyNRequests?: number;
  /** ANSI colours (default: colorEnabled(stream), which honours FORCE_COLOR and NO_COLOR) */
  color?: boolean;
}

const RING = 256;
const RATE_WINDOW_TICKS = 5;
/** the width assumed when the terminal does not say */
export const DEFAULT_COLUMNS = 80;

interface ScenarioProgress {
  name: string;
  startTimeMs: number;
  durationMs: number;
  plannedIterations: number | null;
  reqs: number;
  errors: number;
  outTokens: number;
  /** where the output counts came from (usage, tokenizer, estimated): shown beside tok/s */
  tokenSources: Set<string>;
  ttft: Float64Array;
  ttftN: number;
  /** (elapsedMs, reqs, outTokens) at each tick, newest last */
  hist: Array<[number, number, number]>;
  iterations: number;
  activeVUs: number;
  progress: number;
}

export class Progress implements SampleListener {
  private readonly stream: ProgressStream;
  private readonly tty: boolean;
  private readonly color: boolean;
  private readonly scenarios = new Map<string, ScenarioProgress>();
  private drawn = 0;
  private started = false;
  private done = false;
  private t0 = 0;
  private nextPlainAt: number;
  private total = 0;
  private lastTickMs = 0;

  constructor(private readonly opts: ProgressOptions = {}) {
    this.stream = opts.stream ?? process.stderr;
    const mode = opts.mode ?? 'auto';
    this.tty = mode === 'tty' || (mode === 'auto' && !!this.stream.isTTY);
    this.color = opts.color ?? colorEnabled(this.stream);
    this.nextPlainAt = opts.intervalMs ?? 10_000;
  }

  start(info: Pick<RunStartInfo, 'plans'>): void {
    for (const { scenario, plan } of info.plans) {
      this.scenarios.set(scenario.name, {
        name: scenario.name, startTimeMs: scenario.startTimeMs, durationMs: plan.durationMs, plannedIterations: plan.iterations,
        reqs: 0, errors: 0, outTokens: 0, tokenSources: new Set(), ttft: new Float64Array(RING), ttftN: 0, hist: [], iterations: 0, activeVUs: 0, progress: 0,
      });
    }
    this.started = true;
    this.t0 = performance.now();
  }

  onRecord(r: RequestRecord): void {
    const s = this.scenarios.get(r.scenario);
    if (!s) return;
    if (r.errorCode === 'ABORTED') return;
    s.reqs++;
    if (!r.ok) s.errors++;
    else {
      if (r.outputTokens) s.outTokens += r.outputTokens;
      if (r.outputTokenSource) s.tokenSources.add(r.outputTokenSource);
      if (r.ttft !== null) s.ttft[s.ttftN++ % RING] = r.ttft;
    }
    this.total++;
    const n = this.opts.everyNRequests;
    if (!this.tty && n && n > 0 && this.total % n === 0 && !this.done) this.writePlain(performance.now() - this.t0);
  }

  onTick(t: RunTick): void {
    if (!this.started || this.done) return;
    this.lastTickMs = t.elapsedMs;
    for (const x of t.scenarios) {
      const s = this.scenarios.get(x.name);
      if (!s) continue;
      s.iterations = x.iterations;
      s.activeVUs = x.activeVUs;
      s.progress = x.progress;
      s.hist.push([t.elapsedMs, s.reqs, s.outTokens]);
      if (s.hist.length > RATE_WINDOW_TICKS + 1) s.hist.shift();
    }
    if (this.tty) this.redraw();
    else if (!this.opts.everyNRequests && t.elapsedMs >= this.nextPlainAt) {
      const iv = this.opts.intervalMs ?? 10_000;
      this.nextPlainAt = (Math.floor(t.elapsedMs / iv) + 1) * iv;
      this.writePlain(t.elapsedMs);
    }
  }

  /** Writes a log line without breaking the live block (wrap the run's `log` with this). */
  wrapLog(log: (line: string) => void): (line: string) => void {
    return (line) => {
      if (!this.tty || this.drawn === 0 || this.done) return log(line);
      this.clear();
      log(line);
      this.redraw();
    };
  }

  /** Replaces the live block with one final line per scenario. */
  finish(stopReason: string, durationMs?: number): void {
    if (!this.started || this.done) return;
    if (this.tty) this.clear();
    this.done = true;
    const elapsed = durationMs ?? performance.now() - this.t0;
    const lines = [...this.scenarios.values()].map((s) => finalLine(s, elapsed, stopReason, this.color));
    this.stream.write(lines.join('\n') + '\n');
  }

  private width(): number {
    return Math.max(40, (this.stream.columns || DEFAULT_COLUMNS) - 1);
  }

  private writePlain(elapsedMs: number): void {
    const stamp = `[${fmtDur(elapsedMs).padStart(6)}] `;
    const lines = [...this.scenarios.values()].map((s) => stamp + fitLine(liveFields(s, elapsedMs, false), this.width() - stamp.length, this.color));
    this.stream.write(lines.join('\n') + '\n');
  }

  private redraw(): void {
    const lines = [...this.scenarios.values()].map((s) => fitLine(liveFields(s, this.lastTickMs, true), this.width(), this.color));
    let out = this.drawn ? `\x1b[${this.drawn}A` : '';
    for (const l of lines) out += `\r\x1b[2K${l}\n`;
    this.stream.write(out);
    this.drawn = lines.length;
  }

  private clear(): void {
    if (this.drawn === 0) return;
    this.stream.write(`\x1b[${this.drawn}A\r\x1b[0J`);
    this.drawn = 0;
  }
}

/** req/s and output tok/s over the last few ticks (or since the start). */
function rates(s: ScenarioProgress, elapsedMs: number): { rps: number; tps: number } {
  const h = s.hist;
  if (h.length >= 2) {
    const a = h[0]!;
    const b = h[h.length - 1]!;
    const dt = (b[0] - a[0]) / 1000;
    if (dt > 0) return { rps: (b[1] - a[1]) / dt, tps: (b[2] - a[2]) / dt };
  }
  const sec = Math.max(0.001, (elapsedMs - s.startTimeMs) / 1000);
  return { rps: s.reqs / sec, tps: s.outTokens / sec };
}

export function medianTtft(s: Pick<ScenarioProgress, 'ttft' | 'ttftN'>): number | null {
  const n = Math.min(s.ttftN, RING);
  if (n === 0) return null;
  const a = Array.from(s.ttft.subarray(0, n)).sort((x, y) => x - y);
  return n % 2 ? a[(n - 1) / 2]! : (a[n / 2 - 1]! + a[n / 2]!) / 2;
}

/**
 * When a scenario ends, ms since the run started: startTime + duration for a duration-based plan
 * (its progress is the elapsed share), else the pace so far (elapsed / progress), never past the
 * plan's maximum duration. The run's end is the latest scenario's; null when nothing is known yet.
 */
export function estimateEndMs(scenarios: ReadonlyArray<{ startTimeMs: number; durationMs: number; progress: number }>, elapsedMs: number): number | null {
  if (!scenarios.length) return null;
  let end = 0;
  for (const s of scenarios) {
    const cap = s.startTimeMs + s.durationMs;
    if (s.progress >= 1) end = Math.max(end, Math.min(elapsedMs, cap));
    else if (elapsedMs <= s.startTimeMs || s.progress <= 0) end = Math.max(end, cap);
    else end = Math.max(end, elapsedMs, Math.min(cap, s.startTimeMs + (elapsedMs - s.startTimeMs) / s.progress));
  }
  return Number.isFinite(end) ? end : null;
}

/** One field of a progress line: its full and short forms, the order it is dropped in, its colour. */
export interface Field {
  full: string;
  short?: string;
  /** lower is kept longer; 0 is never dropped */
  rank: number;
  color?: Paint;
}

function liveFields(s: ScenarioProgress, elapsedMs: number, tty: boolean): Field[] {
  const el = Math.max(0, elapsedMs - s.startTimeMs);
  const { rps, tps } = rates(s, elapsedMs);
  const p50 = medianTtft(s);
  const pct = Math.min(100, Math.max(0, s.progress * 100));
  const iters = s.plannedIterations ? `${s.iterations}/${s.plannedIterations}` : String(s.iterations);
  const endAt = estimateEndMs([s], elapsedMs) ?? s.startTimeMs + s.durationMs;
  const estimated = endAt < s.startTimeMs + s.durationMs - 1 && s.progress < 1;
  const total = `${estimated ? '~' : ''}${fmtDur(Math.max(0, endAt - s.startTimeMs))}`;
  const fields: Field[] = [
    { full: s.name.length > 24 ? `${s.name.slice(0, 23)}…` : s.name, rank: 0, color: 'bold' },
    ...(tty ? [{ full: `[${progressBar(s.progress, 20)}]`, short: `[${progressBar(s.progress, 10)}]`, rank: 9, color: 'green' as Paint }] : []),
    { full: `${pct.toFixed(0).padStart(tty ? 3 : 0)}%`, rank: 0 },
    { full: `${fmtDur(el)}/${total}`, rank: 1 },
    { full: `${rps.toFixed(1)} req/s`, short: `${rps.toFixed(1)}r/s`, rank: 2 },
    { full: `errors ${s.errors}`, short: `err ${s.errors}`, rank: 3, ...(s.errors > 0 ? { color: 'red' as Paint } : {}) },
    { full: `TTFT p50 ${p50 === null ? '-' : fmtMsShort(p50)}`, short: `ttft ${p50 === null ? '-' : fmtMsShort(p50)}`, rank: 4 },
    { full: `${tps.toFixed(0)} tok/s${tokenNote(s, true)}`, short: `${tps.toFixed(0)}t/s${tokenNote(s, true)}`, rank: 5 },
    { full: `reqs ${s.reqs}`, rank: 6 },
    { full: `VUs ${s.activeVUs}`, rank: 7 },
    { full: `iters ${iters}`, short: `it ${iters}`, rank: 8 },
  ];
  return fields;
}

/**
 * Joins fields into one line of at most `width` columns: every field in full if it fits, else
 * shortened forms, then the least important fields dropped one by one (highest rank first); the
 * line is cut only if even the rank-0 fields do not fit. Colours are added after measuring.
 */
export function fitLine(fields: readonly Field[], width: number, color = false): string {
  const render = (fs: ReadonlyArray<{ text: string; color?: Paint | undefined }>, sep: string) => ({ plain: fs.map((f) => f.text).join(sep), fs, sep });
  const attempts: Array<{ use: (f: Field) => string; sep: string }> = [
    { use: (f) => f.full, sep: '  ' },
    { use: (f) => f.short ?? f.full, sep: '  ' },
    { use: (f) => f.short ?? f.full, sep: ' ' },
  ];
  const maxRank = Math.max(0, ...fields.map((f) => f.rank));
  let best: ReturnType<typeof render> | undefined;
  outer: for (let drop = maxRank + 1; drop >= 0; drop--) {
    for (const a of attempts) {
      const fs = fields.filter((f) => f.rank < drop || f.rank === 0).map((f) => ({ text: a.use(f), color: f.color }));
      const r = render(fs, a.sep);
      best = r;
      if ([...r.plain].length <= width) break outer;
    }
  }
  const r = best!;
  if ([...r.plain].length > width) return truncate(r.plain, width);
  return r.fs.map((f) => paint(color, f.color, f.text)).join(r.sep);
}

function finalLine(s: ScenarioProgress, elapsedMs: number, stopReason: string, color: boolean): string {
  const el = Math.max(0.001, elapsedMs - s.startTimeMs);
  const what = stopReason === 'completed' ? 'done' : stopReason;
  const errors = `${s.errors} errors`;
  return `${paint(color, 'bold', s.name)}  ${paint(color, stopReason === 'completed' ? 'green' : 'yellow', what)}: ${s.reqs} requests in ${fmtDur(el)}, ${((s.reqs * 1000) / el).toFixed(1)} req/s, ${((s.outTokens * 1000) / el).toFixed(0)} tok/s${tokenNote(s, false)}, ${paint(color, s.errors ? 'red' : undefined, errors)}`;
}

/** How the output tokens were counted: live, only when not all from usage ("(est.)"); at the end, always. */
function tokenNote(s: Pick<ScenarioProgress, 'tokenSources'>, live: boolean): string {
  const src = s.tokenSources;
  if (src.size === 0 || (live && src.size === 1 && src.has('usage'))) return '';
  if (src.has('estimated')) return live ? ' (est.)' : ' (tokens estimated: pass --tokenizer)';
  return ` (${[...src].join('+')})`;
}

function progressBar(p: number, width: number): string {
  const full = Math.round(Math.min(1, Math.max(0, p)) * width);
  return '='.repeat(Math.max(0, full - 1)) + (full > 0 ? (full === width ? '=' : '>') : '') + ' '.repeat(width - full);
}

export function fmtDur(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function fmtMsShort(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)}s` : `${ms.toFixed(ms < 10 ? 1 : 0)}ms`;
}

function truncate(s: string, n: number): string {
  const chars = [...s];
  return chars.length > n ? chars.slice(0, n - 1).join('') + '…' : s;
}
