/**
 * Runs one load level through runtime/api.ts's run() (the same engine as `llmperf run`) with the
 * script's scenarios replaced by the level's (levels.ts), then reads what a sweep or a capacity search
 * needs: throughput, latency percentiles, SLO results and goodput, and whether an open-loop level was
 * stopped early as saturated (saturation.ts).
 *
 * Warm-up: with shape.warmupMs, the level runs that much longer and the figures above cover only the
 * steady window after it: every metric sample recorded (request ended) after the warm-up goes into a
 * second registry, which the SLOs, percentiles and throughputs are read from. The level's summary
 * (summary.json shape, the report's details) still covers the whole level.
 */
import { run, type RunOptions } from '../api.ts';
import type { RunResult } from '../engine/run.ts';
import type { ExitCodeValue } from '../exit-codes.ts';
import type { RequestRecord } from '../llm/types.ts';
import { Registry } from '../metrics/registry.ts';
import type { Sample } from '../metrics/types.ts';
import type { SummaryData } from '../summary/data.ts';
import { levelLabel, levelScenario, type LevelShape, type LevelSpec } from './levels.ts';
import { SaturationDetector, type SaturationOptions } from './saturation.ts';
import { boundsFromSlos, meetsBounds } from '../metrics/request-slo.ts';
import { bindSlos, evaluateSlos, type Slo, type SloResult } from './slo.ts';
import { withHooks, type RunHooks } from '../dashboard/index.ts';
import { Timeline, type TimelineData } from '../report/index.ts';

export const LATENCY_METRICS = ['llm_ttft', 'llm_tpot', 'llm_e2e'] as const;
export type LatencyMetric = (typeof LATENCY_METRICS)[number];

/** What the level achieved in its steady window (after the warm-up). */
export interface LevelStats {
  windowMs: number;
  requests: number;
  succeeded: number;
  successRate: number;
  /** successful requests per second */
  requestThroughput: number;
  outputTokenThroughput: number;
  /** completed iterations per second (the auto profile's rates) */
  iterationThroughput: number;
}

export interface LevelResult {
  spec: LevelSpec;
  label: string;
  summary: SummaryData;
  stats: LevelStats;
  /** p50 / p99 per latency metric, ms (null: no samples) */
  latency: Record<LatencyMetric, { p50: number | null; p99: number | null }>;
  /** requests/s that succeeded and met every per-request SLO bound (null without SLOs) */
  goodput: number | null;
  slo: SloResult[];
  /** why an open-loop level was stopped early, else null */
  saturated: string | null;
  /** every SLO met, not saturated, some request succeeded */
  ok: boolean;
  /** why not ok: the broken SLOs, "saturated: ...", "no successful requests" */
  failReason: string | null;
  /** the level was cut short by the user (SIGINT) */
  interrupted: boolean;
  exitCode: ExitCodeValue;
  runDir?: string;
  /** the level's time series and distributions (the report's details of a level); not in sweep.json */
  timeline?: TimelineData;
  /** wall-clock time the level took, setup and graceful stop included, ms */
  wallMs: number;
}

export interface LevelRunnerOptions {
  /** run() options shared by every level (target, env, apis, config, overrides, ...) */
  base: Omit<RunOptions, 'script' | 'scenarioOverride' | 'onResult' | 'onStart' | 'listeners' | 'signal' | 'hardSignal'>;
  script: RunOptions['script'];
  shape: LevelShape;
  slos: Slo[];
  /** graceful and hard stops from the user (SIGINT); a level stopped by them is `interrupted` */
  signal?: AbortSignal;
  hardSignal?: AbortSignal;
  /** stop open-loop levels early when saturated (default true) */
  detectSaturation?: boolean;
  saturation?: Partial<SaturationOptions>;
  /** how long in-flight requests of a saturated level may finish before they are cut (default 3 s) */
  saturatedGraceMs?: number;
  /** more run() hooks (the live dashboard), chained after the level's own */
  hooks?: RunHooks;
}

/** Runs one level; `dir` keeps a full run directory for it. */
export async function runLevel(o: LevelRunnerOptions, spec: LevelSpec, dir?: string): Promise<LevelResult> {
  const label = levelLabel(spec);
  const warmupMs = o.shape.warmupMs ?? 0;
  const stop = new AbortController();
  const hard = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
  const hardSignal = o.hardSignal ? AbortSignal.any([o.hardSignal, hard.signal]) : hard.signal;
  const bounds = boundsFromSlos(o.slos);
  const steady = new Registry();
  let t0 = Infinity;
  const inWindow = () => performance.now() - t0 >= warmupMs;
  let good = 0;
  let saturated: string | null = null;
  let detector: SaturationDetector | null = null;
  const watch = o.detectSaturation !== false && spec.kind === 'rate';
  let timer: NodeJS.Timeout | undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  const listener = {
    onSample(s: Sample) {
      if (inWindow() && steady.get(s.metric)) steady.add(s.metric, s.value, s.tags, s.time);
      if (!detector) return;
      const t = performance.now();
      if (s.metric === 'llm_schedule_lag') detector.iterationStarted(t);
      else if (s.metric === 'iterations') detector.iterationEnded(t);
      else if (s.metric === 'dropped_iterations') detector.arrivalsDropped(t, s.value);
    },
    onRecord(r: RequestRecord) {
      if (inWindow() && meetsBounds(bounds, r)) good++;
      if (detector && r.ttft !== null) detector.ttft(performance.now(), r.ttft);
    },
  };
  let measured: Omit<LevelResult, 'spec' | 'label' | 'summary' | 'goodput' | 'saturated' | 'ok' | 'failReason' | 'interrupted' | 'exitCode' | 'wallMs'> | undefined;
  const timeline = new Timeline();
  const began = performance.now();
  try {
    const out = await run(withHooks({
      ...o.base,
      script: o.script,
      ...(dir ? { save: true, outDir: dir } : { save: false }),
      progress: false,
      scenarioOverride: levelScenario(spec, o.shape),
      signal,
      hardSignal,
      listeners: [listener, timeline],
      onStart: (info) => {
        for (const m of info.registry.all()) if (!m.builtin) steady.define(m.name, m.type, m.kind);
        bindSlos(o.slos, steady);
        t0 = performance.now();
        if (watch) {
          detector = new SaturationDetector(t0, o.saturation);
          timer = setInterval(() => {
            const why = detector?.check(performance.now());
            if (why && !saturated) {
              saturated = why;
              stop.abort();
              graceTimer = setTimeout(() => hard.abort(), o.saturatedGraceMs ?? 3000);
            }
          }, 100);
        }
      },
      onResult: (r: RunResult) => {
        const windowMs = Math.max(1, r.durationMs - warmupMs);
        measured = { stats: statsOf(steady, windowMs), latency: latencyOf(steady, windowMs), slo: evaluateSlos(o.slos, steady, windowMs) };
      },
    }, o.hooks));
    const m = measured!;
    const interrupted = !!o.signal?.aborted;
    const broken = m.slo.filter((x) => !x.ok);
    let failReason: string | null = null;
    if (saturated) failReason = saturated;
    else if (m.stats.succeeded === 0) failReason = warmupMs > 0 && out.summary.llm.succeeded > 0 ? 'no request ended after the warm-up' : 'no successful requests';
    else if (broken.length) failReason = broken.map((b) => `${b.slo.source} (${b.observed === null ? 'no data' : round(b.observed)})`).join(', ');
    return {
      spec,
      label,
      summary: out.summary,
      ...m,
      goodput: o.slos.length ? good / (m.stats.windowMs / 1000) : null,
      saturated,
      ok: failReason === null,
      failReason,
      interrupted,
      exitCode: out.exitCode,
      ...(out.runDir ? { runDir: out.runDir } : {}),
      timeline: timeline.toJSON(),
      wallMs: performance.now() - began,
    };
  } finally {
    if (timer) clearInterval(timer);
    if (graceTimer) clearTimeout(graceTimer);
  }
}

function statsOf(reg: Registry, windowMs: number): LevelStats {
  const count = (name: string, method: 'count' | 'sum') => {
    const sink = reg.get(name)?.sink;
    const v = sink ? sink.value({ name: method }, windowMs) : 0;
    return Number.isFinite(v) ? v : 0;
  };
  const requests = count('llm_reqs', 'count');
  const succeeded = requests - count('llm_req_failed', 'count');
  const sec = windowMs / 1000;
  return {
    windowMs,
    requests,
    succeeded,
    successRate: requests ? succeeded / requests : 0,
    requestThroughput: succeeded / sec,
    outputTokenThroughput: count('llm_output_tokens', 'sum') / sec,
    iterationThroughput: count('iterations', 'count') / sec,
  };
}

function latencyOf(reg: Registry, windowMs: number): LevelResult['latency'] {
  const out = {} as LevelResult['latency'];
  for (const m of LATENCY_METRICS) {
    const sink = reg.get(m)?.sink;
    const p = (q: number) => {
      const v = sink && sink.count > 0 ? sink.value({ name: 'p', arg: q }, windowMs) : NaN;
      return Number.isFinite(v) ? v : null;
    };
    out[m] = { p50: p(50), p99: p(99) };
  }
  return out;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
