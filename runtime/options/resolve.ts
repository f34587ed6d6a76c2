/**
 * Resolves the options a run uses, in k6's order: defaults < script `options` < environment
 * (LLMPERF_*) < CLI flags. `undefined` means "not set here" and never overrides a lower layer.
 * Shortcuts given on the CLI (--vus/--iterations/--duration) replace the script's scenarios, as in k6.
 */
import { ConfigError } from '../errors.ts';
import { parseScenario, shortcutScenario, type ScenarioConfig } from '../executors/index.ts';
import { suggest } from '../metrics/registry.ts';
import { parseDuration } from './duration.ts';

/** Options as a script exports them (JSON-serialisable). See types/options.d.ts. */
export interface ScriptOptions {
  vus?: number;
  iterations?: number;
  duration?: string | number;
  stages?: Array<{ duration: string | number; target: number }>;
  scenarios?: Record<string, Record<string, unknown>>;
  thresholds?: Record<string, unknown>;
  llm?: LlmOptions;
  slo?: SloOptions;
  summaryTrendStats?: string[];
  summaryTimeUnit?: 's' | 'ms' | 'us';
  setupTimeout?: string | number;
  teardownTimeout?: string | number;
  iterationTimeout?: string | number;
  tags?: Record<string, string>;
  name?: string;
}

export interface LlmOptions {
  url?: string;
  model?: string;
  apiKey?: string;
  headers?: Record<string, string>;
  api?: string;
  includeUsage?: boolean;
  timeout?: string | number;
  connectTimeout?: string | number;
  readTimeout?: string | number;
  tokenizer?: string;
}

export interface SloOptions {
  ttft?: number;
  tpot?: number;
  e2e?: number;
  itl?: number;
}

/** Values from the CLI or the programmatic API (all optional; undefined = not given). */
export interface Overrides {
  vus?: number;
  iterations?: number;
  duration?: string;
  url?: string;
  model?: string;
  apiKey?: string;
  headers?: Record<string, string>;
  api?: string;
  tokenizer?: string;
  connectTimeout?: string;
  readTimeout?: string;
  timeout?: string;
  summaryTrendStats?: string[];
  summaryTimeUnit?: 's' | 'ms' | 'us';
  tags?: Record<string, string>;
  name?: string;
}

export interface ResolvedLlm {
  url: string | undefined;
  model: string;
  apiKey: string | undefined;
  headers: Record<string, string>;
  api: string;
  includeUsage: boolean;
  totalTimeoutMs: number;
  connectTimeoutMs: number;
  readTimeoutMs: number;
  tokenizer: string | undefined;
}

export interface ResolvedOptions {
  scenarios: ScenarioConfig[];
  thresholds: Record<string, unknown>;
  llm: ResolvedLlm;
  slo: SloOptions | undefined;
  summaryTrendStats: string[];
  summaryTimeUnit: 's' | 'ms' | 'us' | undefined;
  setupTimeoutMs: number;
  teardownTimeoutMs: number;
  iterationTimeoutMs: number;
  tags: Record<string, string>;
  name: string | undefined;
}

const KNOWN = [
  'vus', 'iterations', 'duration', 'stages', 'scenarios', 'thresholds', 'llm', 'slo', 'summaryTrendStats', 'summaryTimeUnit',
  'setupTimeout', 'teardownTimeout', 'iterationTimeout', 'tags', 'name', 'sweep', 'discardResponseBodies', 'ext', 'noConnectionReuse',
];
const LLM_KNOWN = ['url', 'model', 'apiKey', 'headers', 'api', 'includeUsage', 'timeout', 'connectTimeout', 'readTimeout', 'tokenizer'];
const SLO_KNOWN = ['ttft', 'tpot', 'e2e', 'itl'];

export const DEFAULT_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];

function checkKeys(obj: Record<string, unknown>, known: string[], where: string): void {
  for (const k of Object.keys(obj)) {
    if (!known.includes(k)) throw new ConfigError(`${where}: unknown option "${k}"${suggest(k, known)}`);
  }
}

export function resolveOptions(script: ScriptOptions, env: Record<string, string | undefined>, cli: Overrides): ResolvedOptions {
  if (script === null || typeof script !== 'object' || Array.isArray(script)) throw new ConfigError('export const options must be an object');
  checkKeys(script as Record<string, unknown>, KNOWN, 'options');
  const llm = script.llm ?? {};
  if (typeof llm !== 'object') throw new ConfigError('options.llm must be an object');
  checkKeys(llm as Record<string, unknown>, LLM_KNOWN, 'options.llm');
  if (script.slo !== undefined) {
    checkKeys(script.slo as Record<string, unknown>, SLO_KNOWN, 'options.slo');
    for (const [k, v] of Object.entries(script.slo)) if (typeof v !== 'number' || !(v > 0)) throw new ConfigError(`options.slo.${k} must be a number of milliseconds > 0`);
  }

  // --- scenarios
  const cliShortcut = cli.vus !== undefined || cli.iterations !== undefined || cli.duration !== undefined;
  let rawScenarios: Record<string, Record<string, unknown>>;
  if (cliShortcut) {
    rawScenarios = {
      default: shortcutScenario({
        vus: cli.vus ?? script.vus,
        iterations: cli.iterations ?? (cli.duration === undefined ? script.iterations : undefined),
        duration: cli.duration ?? (cli.iterations === undefined ? script.duration : undefined),
      }),
    };
  } else if (script.scenarios && Object.keys(script.scenarios).length > 0) {
    if (script.vus !== undefined || script.iterations !== undefined || script.duration !== undefined || script.stages !== undefined) {
      throw new ConfigError('options: use either scenarios or the shortcuts vus/iterations/duration/stages, not both');
    }
    rawScenarios = script.scenarios;
  } else {
    rawScenarios = { default: shortcutScenario({ vus: script.vus, iterations: script.iterations, duration: script.duration, stages: script.stages }) };
  }
  const scenarios = Object.entries(rawScenarios).map(([name, raw]) => parseScenario(name, raw));

  // --- llm target
  const url = cli.url ?? env.LLMPERF_URL ?? llm.url;
  const model = cli.model ?? env.LLMPERF_MODEL ?? llm.model ?? 'mock-llm';
  const apiKey = cli.apiKey ?? env.LLMPERF_API_KEY ?? llm.apiKey;
  if (url !== undefined) {
    try {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    } catch {
      throw new ConfigError(`invalid URL ${JSON.stringify(url)}: give an http(s) base URL such as http://127.0.0.1:8000/v1`);
    }
  }
  const stats = cli.summaryTrendStats ?? script.summaryTrendStats ?? DEFAULT_TREND_STATS;
  for (const s of stats) if (!/^(avg|min|med|max|count|sum|p\(\d+(\.\d+)?\))$/.test(s)) throw new ConfigError(`summaryTrendStats: invalid stat ${JSON.stringify(s)}; use avg, min, med, max, count, sum or p(N)`);
  const unit = cli.summaryTimeUnit ?? script.summaryTimeUnit;
  if (unit !== undefined && !['s', 'ms', 'us'].includes(unit)) throw new ConfigError(`summaryTimeUnit must be "s", "ms" or "us", got ${JSON.stringify(unit)}`);

  return {
    scenarios,
    thresholds: (script.thresholds ?? {}) as Record<string, unknown>,
    llm: {
      url,
      model,
      apiKey,
      headers: { ...(llm.headers ?? {}), ...(cli.headers ?? {}) },
      api: cli.api ?? env.LLMPERF_API ?? llm.api ?? 'openai',
      includeUsage: llm.includeUsage ?? true,
      totalTimeoutMs: parseDuration(cli.timeout ?? llm.timeout ?? '10m', 'timeout'),
      connectTimeoutMs: parseDuration(cli.connectTimeout ?? llm.connectTimeout ?? '10s', 'connectTimeout'),
      readTimeoutMs: parseDuration(cli.readTimeout ?? llm.readTimeout ?? '120s', 'readTimeout'),
      tokenizer: cli.tokenizer ?? env.LLMPERF_TOKENIZER ?? llm.tokenizer,
    },
    slo: script.slo,
    summaryTrendStats: stats,
    summaryTimeUnit: unit,
    setupTimeoutMs: parseDuration(script.setupTimeout ?? '60s', 'setupTimeout'),
    teardownTimeoutMs: parseDuration(script.teardownTimeout ?? '60s', 'teardownTimeout'),
    iterationTimeoutMs: parseDuration(script.iterationTimeout ?? '30s', 'iterationTimeout'),
    tags: { ...(script.tags ?? {}), ...(cli.tags ?? {}) },
    name: cli.name ?? script.name,
  };
}
