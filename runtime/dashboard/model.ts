/**
 * The live dashboard's data, typed in one place: the state the page draws, and the events the
 * server sends it over server-sent events (runtime/dashboard/server.ts). The page
 * (page/dashboard.js) applies the same events with applyEvent below itself, so a page
 * that connected at the start and one that connected late (it gets the whole state first) show the
 * same thing; test/dashboard checks that in Chromium.
 *
 * Time: `t` values are seconds since the dashboard started (a sweep's levels follow each other on
 * one axis). Percentiles in points are over the requests that ended in the last `windowMs`.
 */
import type { LlmHeadline } from '../../types/summary.d.ts';

export const DASHBOARD_VERSION = 1;

export type DashKind = 'run' | 'perf' | 'sweep' | 'capacity';
export type DashStatus = 'running' | 'finished';

/** p50 / p90 / p99 of a metric over the window, ms. */
export interface Pct {
  p50: number;
  p90: number;
  p99: number;
  /** values the percentiles were computed from (a uniform sample when there were more) */
  n: number;
}

/** One second (one engine tick) of one run. */
export interface DashPoint {
  /** seconds since the dashboard started, at the end of the tick */
  t: number;
  /** index of the run in DashState.runs */
  run: number;
  /** length of the tick, s */
  dt: number;
  /** requests that ended in the tick: succeeded, failed (interrupted ones are neither) */
  ok: number;
  failed: number;
  /** failures of the tick by error code */
  errors: Record<string, number>;
  /** output tokens of the requests that succeeded in the tick */
  outTokens: number;
  /** over the requests that ended in the last windowMs (null: none) */
  ttft: Pct | null;
  itl: Pct | null;
  e2e: Pct | null;
  /** requests in flight and active VUs at the end of the tick */
  inflight: number;
  vus: number;
  /** llm_schedule_lag over the window (arrival-rate executors), ms */
  lag: { p99: number; max: number; n: number } | null;
  /** iterations dropped in the tick (no free VU) */
  dropped: number;
}

export interface DashThreshold {
  metric: string;
  source: string;
  /** null before the metric has a sample (the end of the run decides) */
  ok: boolean | null;
  observed: number | null;
  aggregation: string;
  /** samples in the (sub-)metric so far (live evaluations only) */
  samples?: number;
  implicit?: boolean;
}

export interface DashScenario {
  name: string;
  executor: string;
  description: string;
  startMs: number;
  durationMs: number;
  iterations: number | null;
  /** live: 0..1, active VUs, iterations completed */
  progress: number;
  vus: number;
  done: number;
}

/** The figures of a finished run, from its summary (what summary.json says). */
export interface DashFinal
  extends Pick<LlmHeadline, 'durationMs' | 'requests' | 'succeeded' | 'failed' | 'interrupted' | 'successRate' | 'requestThroughput' | 'outputTokenThroughput' | 'totalTokenThroughput' | 'goodput' | 'peakConcurrency' | 'percentiles' | 'errors'> {
  exitCode: number;
  stopReason: string;
  /** llmperf's own health figures when the summary has them (its `client` and `io` objects, as they are) */
  health: Record<string, unknown> | null;
}

/** One engine run: the only one of `llmperf run`, a level of a sweep, a run of `perf`. */
export interface DashRun {
  index: number;
  /** the level's label ('' for a single run) */
  label: string;
  startT: number;
  endT: number | null;
  target: string;
  embeddedMock: boolean;
  model: string;
  /** end of the last scenario (startTime + duration), ms since the run started */
  plannedMs: number;
  /** estimated end, ms since the run started (progress-based; null before any progress) */
  etaMs: number | null;
  scenarios: DashScenario[];
  thresholds: DashThreshold[];
  final: DashFinal | null;
}

/** A finished level of a sweep or capacity search (or a run of a multi-run perf). */
export interface DashLevel {
  run: number;
  label: string;
  kind: 'concurrency' | 'rate' | 'run';
  value: number | null;
  requestThroughput: number;
  outputTokenThroughput: number;
  successRate: number;
  goodput: number | null;
  ttft: { p50: number | null; p99: number | null };
  tpot: { p50: number | null; p99: number | null };
  e2e: { p50: number | null; p99: number | null };
  /** every SLO met (and the level not saturated); null when there were no SLOs */
  ok: boolean | null;
  failReason: string | null;
  slo: Array<{ source: string; observed: number | null; ok: boolean }>;
}

export interface DashState {
  version: number;
  kind: DashKind;
  title: string;
  status: DashStatus;
  /** ISO 8601 */
  startedAt: string;
  endedAt: string | null;
  windowMs: number;
  runs: DashRun[];
  points: DashPoint[];
  levels: DashLevel[];
  /** capacity: the answer line */
  answer: string | null;
  exitCode: number | null;
  /** the last run's closing message, e.g. "thresholds on metrics 'llm_ttft' have been crossed" */
  message: string | null;
}

export type DashEvent =
  | { type: 'state'; state: DashState }
  | { type: 'run'; run: DashRun }
  | { type: 'tick'; point: DashPoint; etaMs: number | null; scenarios: Array<Pick<DashScenario, 'name' | 'progress' | 'vus' | 'done'>>; thresholds: DashThreshold[] }
  | { type: 'runEnd'; index: number; endT: number; final: DashFinal; thresholds: DashThreshold[] }
  | { type: 'level'; level: DashLevel }
  | { type: 'end'; endedAt: string; exitCode: number; answer: string | null; message: string | null };

export function emptyState(kind: DashKind, title: string, windowMs: number, startedAt = new Date()): DashState {
  return { version: DASHBOARD_VERSION, kind, title, status: 'running', startedAt: startedAt.toISOString(), endedAt: null, windowMs, runs: [], points: [], levels: [], answer: null, exitCode: null, message: null };
}

/**
 * Applies one event to a state (mutating it). The page runs this very function (page.ts puts its
 * source into page/dashboard.js), so it may use nothing but its arguments and the language.
 */
export function applyEvent(s: DashState, ev: DashEvent): DashState {
  switch (ev.type) {
    case 'state':
      return ev.state;
    case 'run':
      s.runs[ev.run.index] = ev.run;
      return s;
    case 'tick': {
      s.points.push(ev.point);
      const r = s.runs[ev.point.run];
      if (r) {
        r.etaMs = ev.etaMs;
        r.thresholds = ev.thresholds;
        for (const x of ev.scenarios) {
          const sc = r.scenarios.find((y) => y.name === x.name);
          if (sc) Object.assign(sc, x);
        }
      }
      return s;
    }
    case 'runEnd': {
      const r = s.runs[ev.index];
      if (r) {
        r.endT = ev.endT;
        r.final = ev.final;
        r.thresholds = ev.thresholds;
      }
      return s;
    }
    case 'level':
      s.levels.push(ev.level);
      return s;
    case 'end':
      s.status = 'finished';
      s.endedAt = ev.endedAt;
      s.exitCode = ev.exitCode;
      s.answer = ev.answer;
      s.message = ev.message;
      return s;
  }
}
