/**
 * Runs one load level through runtime/api.ts's run() (the same engine as `llmperf run`) with the
 * script's scenarios replaced by the level's (levels.ts), then reads what a sweep or a capacity search
 * needs: latency percentiles (exact, from the level's histograms), SLO results, goodput, and whether
 * an open-loop level was stopped early as saturated (saturation.ts).
 */
import { run, type RunOptions } from '../api.ts';
import type { RunResult } from '../engine/run.ts';
import type { ExitCodeValue } from '../exit-codes.ts';
import type { RequestRecord } from '../llm/types.ts';
import type { Sample } from '../metrics/types.ts';
import type { SummaryData } from '../summary/data.ts';
import { levelLabel, levelScenario, type LevelShape, type LevelSpec } from './levels.ts';
import { SaturationDetector, type SaturationOptions } from './saturation.ts';
import { bindSlos, evaluateSlos, requestMeetsSlos, type Slo, type SloResult } from './slo.ts';

export const LATENCY_METRICS = ['llm_ttft', 'llm_tpot', 'llm_e2e'] as const;
export type LatencyMetric = (typeof LATENCY_METRICS)[number];

export interface LevelResult {
  spec: LevelSpec;
  label: string;
  summary: SummaryData;
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
}

/** Runs one level; `dir` keeps a full run directory for it. */
export async function runLevel(o: LevelRunnerOptions, spec: LevelSpec, dir?: string): Promise<LevelResult> {
  const label = levelLabel(spec);
  const stop = new AbortController();
  const hard = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
  const hardSignal = o.hardSignal ? AbortSignal.any([o.hardSignal, hard.signal]) : hard.signal;
  const meets = requestMeetsSlos(o.slos);
  let good = 0;
  let saturated: string | null = null;
  let detector: SaturationDetector | null = null;
  const watch = o.detectSaturation !== false && spec.kind === 'rate';
  let timer: NodeJS.Timeout | undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  const listener = {
    onSample(s: Sample) {
      if (!detector) return;
      const t = performance.now();
      if (s.metric === 'llm_schedule_lag') detector.iterationStarted(t);
      else if (s.metric === 'iterations') detector.iterationEnded(t);
      else if (s.metric === 'dropped_iterations') detector.arrivalsDropped(t, s.value);
    },
    onRecord(r: RequestRecord) {
      if (meets(r)) good++;
      if (detector && r.ttft !== null) detector.ttft(performance.now(), r.ttft);
    },
  };
  let latency = emptyLatency();
  let sloResults: SloResult[] = [];
  let durationMs = 0;
  try {
    const out = await run({
      ...o.base,
      script: o.script,
      ...(dir ? { save: true, outDir: dir } : { save: false }),
      progress: false,
      scenarioOverride: levelScenario(spec, o.shape),
      signal,
      hardSignal,
      listeners: [listener],
      onStart: (info) => {
        bindSlos(o.slos, info.registry);
        if (watch) {
          detector = new SaturationDetector(performance.now(), o.saturation);
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
        durationMs = r.durationMs;
        latency = latencyOf(r);
        sloResults = evaluateSlos(o.slos, r.registry, r.durationMs);
      },
    });
    const summary = out.summary;
    const interrupted = !!o.signal?.aborted;
    const broken = sloResults.filter((x) => !x.ok);
    let failReason: string | null = null;
    if (saturated) failReason = saturated;
    else if (summary.llm.succeeded === 0) failReason = 'no successful requests';
    else if (broken.length) failReason = broken.map((b) => `${b.slo.source} (${b.observed === null ? 'no data' : round(b.observed)})`).join(', ');
    return {
      spec,
      label,
      summary,
      latency,
      goodput: o.slos.length ? (durationMs > 0 ? good / (durationMs / 1000) : 0) : null,
      slo: sloResults,
      saturated,
      ok: failReason === null,
      failReason,
      interrupted,
      exitCode: out.exitCode,
      ...(out.runDir ? { runDir: out.runDir } : {}),
    };
  } finally {
    if (timer) clearInterval(timer);
    if (graceTimer) clearTimeout(graceTimer);
  }
}

function emptyLatency(): LevelResult['latency'] {
  return { llm_ttft: { p50: null, p99: null }, llm_tpot: { p50: null, p99: null }, llm_e2e: { p50: null, p99: null } };
}

function latencyOf(r: RunResult): LevelResult['latency'] {
  const out = emptyLatency();
  for (const m of LATENCY_METRICS) {
    const sink = r.registry.get(m)?.sink;
    if (!sink || sink.count === 0) continue;
    const p = (q: number) => {
      const v = sink.value({ name: 'p', arg: q }, r.durationMs);
      return Number.isFinite(v) ? v : null;
    };
    out[m] = { p50: p(50), p99: p(99) };
  }
  return out;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
