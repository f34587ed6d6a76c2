/** The executor registry: one map, typed with `satisfies`, and option normalisation. */
import { ConfigError } from '../errors.ts';
import { suggest } from '../suggest.ts';
import { parseDuration } from '../options/duration.ts';
import { constantArrivalRate } from './constant-arrival-rate.ts';
import { constantVus } from './constant-vus.ts';
import { fieldReader } from './fields.ts';
import { perVuIterations } from './per-vu-iterations.ts';
import { rampingArrivalRate } from './ramping-arrival-rate.ts';
import { rampingVus } from './ramping-vus.ts';
import { replay } from './replay.ts';
import { sharedIterations } from './shared-iterations.ts';
import { scaleInt, type ExecutionSegment } from './segment.ts';
import type { CommonConfig, ExecutionPlan, ExecutorContext, ExecutorDef, ExecutorName, PrepareEnv, ScenarioConfig } from './types.ts';

export const EXECUTORS = {
  'shared-iterations': sharedIterations,
  'per-vu-iterations': perVuIterations,
  'constant-vus': constantVus,
  'ramping-vus': rampingVus,
  'constant-arrival-rate': constantArrivalRate,
  'ramping-arrival-rate': rampingArrivalRate,
  replay,
} satisfies { [K in ExecutorName]: ExecutorDef<Extract<ScenarioConfig, { executor: K }>> };

export const SCENARIO_NAME_RE = /^[a-zA-Z0-9_-]{1,100}$/;

function def(name: ExecutorName): ExecutorDef<ScenarioConfig> {
  return EXECUTORS[name] as unknown as ExecutorDef<ScenarioConfig>;
}

/** Parses one raw scenario object (from options.scenarios) into a validated config. */
export function parseScenario(name: string, raw: unknown): ScenarioConfig {
  if (!SCENARIO_NAME_RE.test(name)) throw new ConfigError(`scenario name ${JSON.stringify(name)} is invalid: use letters, digits, _ and - (max 100)`);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`scenarios.${name} must be an object with an executor`);
  const r = raw as Record<string, unknown>;
  const ex = r.executor;
  if (typeof ex !== 'string' || !(ex in EXECUTORS)) {
    throw new ConfigError(
      `scenarios.${name}.executor: unknown executor ${JSON.stringify(ex)}${typeof ex === 'string' ? suggest(ex, Object.keys(EXECUTORS)) : ''}; valid: ${Object.keys(EXECUTORS).join(', ')}`,
    );
  }
  const f = fieldReader(name, r);
  const env = r.env ?? {};
  const tags = r.tags ?? {};
  if (typeof env !== 'object' || Array.isArray(env)) throw new ConfigError(`scenarios.${name}.env must be an object of strings`);
  if (typeof tags !== 'object' || Array.isArray(tags)) throw new ConfigError(`scenarios.${name}.tags must be an object of strings`);
  if (r.exec !== undefined && typeof r.exec !== 'string') throw new ConfigError(`scenarios.${name}.exec must be the name of an exported function`);
  const common: CommonConfig = {
    name,
    executor: ex as ExecutorName,
    startTimeMs: f.duration('startTime', 0),
    gracefulStopMs: f.duration('gracefulStop', '30s'),
    exec: (r.exec as string | undefined) ?? 'default',
    env: Object.fromEntries(Object.entries(env as Record<string, unknown>).map(([k, v]) => [k, String(v)])),
    tags: Object.fromEntries(Object.entries(tags as Record<string, unknown>).map(([k, v]) => [k, String(v)])),
  };
  return def(ex as ExecutorName).parse(r, common, f);
}

export function planScenario(c: ScenarioConfig): ExecutionPlan {
  const p = def(c.executor).plan(c);
  return c.segment ? { ...p, description: `${p.description} [segment ${c.segment.text}]` } : p;
}

/**
 * This instance's share of a scenario (pure). VU and iteration counts use cumulative floors so the
 * shares add up; arrival-rate executors keep their whole schedule and stripe arrivals at run time
 * (ownedOffsets), with at least one VU whenever the scenario has any.
 */
export function applySegment(c: ScenarioConfig, seg: ExecutionSegment | undefined): ScenarioConfig {
  if (!seg) return c;
  const atLeast1 = (orig: number, v: number) => (orig > 0 ? Math.max(1, v) : 0);
  switch (c.executor) {
    case 'shared-iterations': {
      const iterations = scaleInt(c.iterations, seg);
      return { ...c, segment: seg, iterations, vus: Math.min(scaleInt(c.vus, seg) || (iterations > 0 ? 1 : 0), iterations) };
    }
    case 'per-vu-iterations':
      return { ...c, segment: seg, vus: scaleInt(c.vus, seg) };
    case 'constant-vus':
      return { ...c, segment: seg, vus: scaleInt(c.vus, seg) };
    case 'ramping-vus':
      return { ...c, segment: seg, startVUs: scaleInt(c.startVUs, seg), stages: c.stages.map((s) => ({ ...s, target: scaleInt(Math.round(s.target), seg) })) };
    case 'constant-arrival-rate':
      return {
        ...c,
        segment: seg,
        iterations: scaleInt(c.iterations, seg),
        preAllocatedVUs: atLeast1(c.preAllocatedVUs, scaleInt(c.preAllocatedVUs, seg)),
        maxVUs: atLeast1(c.maxVUs, scaleInt(c.maxVUs, seg)),
      };
    case 'replay':
    case 'ramping-arrival-rate':
      return { ...c, segment: seg, preAllocatedVUs: atLeast1(c.preAllocatedVUs, scaleInt(c.preAllocatedVUs, seg)), maxVUs: atLeast1(c.maxVUs, scaleInt(c.maxVUs, seg)) };
  }
}

/** Runs each executor's prepare() (I/O such as reading a replay trace) before the scenarios are planned. */
export async function prepareScenarios(list: ScenarioConfig[], env: PrepareEnv): Promise<ScenarioConfig[]> {
  return Promise.all(list.map((c) => def(c.executor).prepare?.(c, env) ?? c));
}

export function runScenario(c: ScenarioConfig, ctx: ExecutorContext): Promise<void> {
  return def(c.executor).run(c, ctx);
}

/** Shortcut options (vus/iterations/duration/stages) -> a default scenario, as k6 does. */
export function shortcutScenario(o: { vus?: number; iterations?: number; duration?: string | number; stages?: unknown }): Record<string, unknown> {
  if (o.stages !== undefined) return { executor: 'ramping-vus', startVUs: o.vus ?? 1, stages: o.stages, gracefulRampDown: '30s' };
  if (o.duration !== undefined && parseDuration(o.duration, 'duration') > 0) {
    if (o.iterations !== undefined) return { executor: 'shared-iterations', vus: o.vus ?? 1, iterations: o.iterations, maxDuration: o.duration };
    return { executor: 'constant-vus', vus: o.vus ?? 1, duration: o.duration };
  }
  return { executor: 'shared-iterations', vus: o.vus ?? 1, iterations: o.iterations ?? o.vus ?? 1 };
}

export type { ScenarioConfig, ExecutionPlan, ExecutorContext } from './types.ts';
