/**
 * Scenario sizes. BENCH_QUICK=1 gives the ~1 minute smoke version; BENCH_SIZE=tiny (a few seconds,
 * used by test/bench) or BENCH_SIZE=full (the default, under 10 minutes) choose explicitly.
 */
export type SizeName = 'tiny' | 'quick' | 'full';

export interface MockTiming {
  ttftMs: number;
  itlMs: number;
  outputTokens: number;
}

export interface BenchSize {
  name: SizeName;
  /** client ceiling: mock ttft 0, itl 0, eventsPerWrite 4; closed loops */
  ceiling: { streams: number; durationMs: number; outputTokens: number; reps: number };
  /** timing accuracy: per-request client vs mock-trace timings */
  accuracy: MockTiming & { streams: number; durationMs: number; reps: number };
  /** bursts: closed loops started together (perf --parallel) and gamma (CV 2) arrivals, matched to the mock's trace */
  burst: MockTiming & { closed: { parallel: number; number: number }; open: { inflight: number; durationMs: number }; reps: number };
  /** open loop: Poisson arrivals at two rates */
  openLoop: MockTiming & { rates: Array<{ rate: number; durationMs: number }> };
  /** peak RSS of llmperf with this many streaming VUs */
  memory: MockTiming & { vus: number[]; durationMs: number };
  /** metric memory micro-bench: sample counts (first and last compared) */
  metrics: { samples: number[] };
  /** startup: measured runs after one warm-up run */
  startup: { runs: number };
}

const FULL: BenchSize = {
  name: 'full',
  ceiling: { streams: 256, durationMs: 10_000, outputTokens: 200, reps: 2 },
  accuracy: { streams: 500, durationMs: 10_000, ttftMs: 200, itlMs: 20, outputTokens: 64, reps: 2 },
  burst: { ttftMs: 200, itlMs: 20, outputTokens: 64, closed: { parallel: 500, number: 1000 }, open: { inflight: 400, durationMs: 10_000 }, reps: 3 },
  openLoop: { ttftMs: 50, itlMs: 10, outputTokens: 16, rates: [{ rate: 200, durationMs: 30_000 }, { rate: 2000, durationMs: 10_000 }] },
  memory: { vus: [1000, 5000], durationMs: 10_000, ttftMs: 500, itlMs: 100, outputTokens: 32 },
  metrics: { samples: [1_000_000, 10_000_000] },
  startup: { runs: 5 },
};

const QUICK: BenchSize = {
  name: 'quick',
  ceiling: { streams: 256, durationMs: 3000, outputTokens: 200, reps: 1 },
  accuracy: { streams: 500, durationMs: 4000, ttftMs: 200, itlMs: 20, outputTokens: 64, reps: 1 },
  burst: { ttftMs: 200, itlMs: 20, outputTokens: 64, closed: { parallel: 500, number: 1000 }, open: { inflight: 400, durationMs: 4000 }, reps: 1 },
  openLoop: { ttftMs: 50, itlMs: 10, outputTokens: 16, rates: [{ rate: 200, durationMs: 5000 }, { rate: 2000, durationMs: 3000 }] },
  memory: { vus: [1000, 5000], durationMs: 3000, ttftMs: 500, itlMs: 100, outputTokens: 32 },
  metrics: { samples: [1_000_000, 3_000_000] },
  startup: { runs: 2 },
};

const TINY: BenchSize = {
  name: 'tiny',
  ceiling: { streams: 8, durationMs: 800, outputTokens: 20, reps: 1 },
  accuracy: { streams: 8, durationMs: 800, ttftMs: 20, itlMs: 5, outputTokens: 8, reps: 1 },
  burst: { ttftMs: 20, itlMs: 5, outputTokens: 8, closed: { parallel: 8, number: 16 }, open: { inflight: 8, durationMs: 800 }, reps: 1 },
  openLoop: { ttftMs: 10, itlMs: 2, outputTokens: 4, rates: [{ rate: 20, durationMs: 800 }, { rate: 50, durationMs: 800 }] },
  memory: { vus: [4, 8], durationMs: 800, ttftMs: 20, itlMs: 5, outputTokens: 8 },
  metrics: { samples: [10_000, 100_000] },
  startup: { runs: 1 },
};

export function benchSize(env: NodeJS.ProcessEnv = process.env): BenchSize {
  const s = env.BENCH_SIZE ?? (env.BENCH_QUICK === '1' ? 'quick' : 'full');
  switch (s) {
    case 'tiny': return TINY;
    case 'quick': return QUICK;
    case 'full': return FULL;
    default: throw new Error(`BENCH_SIZE=${s}: use tiny, quick or full`);
  }
}

/** BENCH_ONLY=ceiling,accuracy runs a subset (names: ceiling, accuracy, burst, openloop, memory, metrics, startup). */
export const SCENARIOS = ['ceiling', 'accuracy', 'burst', 'openloop', 'memory', 'metrics', 'startup'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export function selectedScenarios(env: NodeJS.ProcessEnv = process.env): ScenarioName[] {
  const only = env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
  if (!only?.length) return [...SCENARIOS];
  for (const o of only) if (!(SCENARIOS as readonly string[]).includes(o)) throw new Error(`BENCH_ONLY: unknown scenario "${o}" (use ${SCENARIOS.join(', ')})`);
  return SCENARIOS.filter((s) => only.includes(s));
}

/** Mock CLI flags for a timing. */
export function mockArgs(t: MockTiming): string[] {
  const ms = (v: number): string => (v === 0 ? '0' : `${v}ms`);
  return ['--ttft', ms(t.ttftMs), '--itl', ms(t.itlMs), '--output-tokens', String(t.outputTokens)];
}
