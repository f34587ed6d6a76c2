/**
 * Resolves the options a run uses from layers, in k6's order, lowest first:
 *
 *     defaults < config file (--config) < script `options` < environment (LLMPERF_*) < CLI flags
 *
 * A layer that leaves a value undefined (JSON null in a config file, an empty environment variable)
 * does not set it and never overrides a lower layer; any other value, including 0, false and "", does.
 *  - llm.*, summaryTrendStats, summaryTimeUnit, name, timeouts: the highest layer that sets the value.
 *  - llm.headers and tags: merged key by key, higher layers winning.
 *  - thresholds, slo: the whole object from the highest layer that has one (script, then config).
 *  - scenarios: the highest layer that sets `scenarios` or a shortcut (vus/iterations/duration/stages)
 *    decides, as in k6: a shortcut in the environment or on the CLI replaces the script's scenarios.
 *    Shortcut values come from the highest layer setting each; iterations, duration and stages are
 *    taken together from the highest layer that sets any of them.
 * `resolveWithSources` also tells which layer every resolved value came from (`llmperf inspect`).
 */
import type { Overrides } from '../../types/run.d.ts';
import type { LlmOptions, Options, SloOptions } from '../../types/options.d.ts';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.ts';
import { parseScenario, shortcutScenario, type ScenarioConfig } from '../executors/index.ts';
import { parseStat } from '../metrics/expression.ts';
import { suggest } from '../suggest.ts';
import { parseDuration } from './duration.ts';
import { OPTION_TABLE, optionDefault, parseStages, setPath, type OptionSpec } from './table.ts';

/**
 * Options as a script exports them, also the shape of a --config file: the public type
 * (types/options.d.ts). Values arrive as untrusted JSON and are validated here and by the executors.
 */
export type ScriptOptions = Options;
export type { LlmOptions, SloOptions };

// Values from the CLI or the programmatic API (undefined = not given): defined once, in types/run.d.ts.
export type { Overrides };

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
  /** accept any TLS certificate (k6's insecureSkipTLSVerify) */
  insecureSkipTLSVerify: boolean;
}

/** Where a resolved value came from. */
export type OptionSource = 'default' | 'config' | 'script' | 'env' | 'cli';
/** Dotted option path (`llm.url`, `scenarios`, `tags.team`, ...) -> the layer its value came from. */
export type OptionSources = Record<string, OptionSource>;

export interface Resolution {
  options: ResolvedOptions;
  sources: OptionSources;
}

const KNOWN = [
  'vus', 'iterations', 'duration', 'stages', 'scenarios', 'thresholds', 'llm', 'slo', 'summaryTrendStats', 'summaryTimeUnit',
  'setupTimeout', 'teardownTimeout', 'iterationTimeout', 'tags', 'name', 'sweep', 'discardResponseBodies', 'ext', 'noConnectionReuse',
  'insecureSkipTLSVerify',
];
const LLM_KNOWN = ['url', 'model', 'apiKey', 'headers', 'api', 'includeUsage', 'timeout', 'connectTimeout', 'readTimeout', 'tokenizer'];
const SLO_KNOWN = ['ttft', 'tpot', 'e2e', 'itl', 'ttfb'];

export const DEFAULT_TREND_STATS = optionDefault<string[]>('summaryTrendStats')!;

function checkKeys(obj: Record<string, unknown>, known: string[], where: string): void {
  for (const k of Object.keys(obj)) {
    if (!known.includes(k)) throw new ConfigError(`${where}: unknown option "${k}"${suggest(k, known)}`);
  }
}

/** Checks the shape of one options object (script or config file); `where` prefixes the messages. */
function checkLayer(o: ScriptOptions, where: string): void {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new ConfigError(`${where} must be an object`);
  checkKeys(o as Record<string, unknown>, KNOWN, where);
  if (o.llm !== undefined) {
    if (o.llm === null || typeof o.llm !== 'object' || Array.isArray(o.llm)) throw new ConfigError(`${where}.llm must be an object`);
    checkKeys(o.llm as Record<string, unknown>, LLM_KNOWN, `${where}.llm`);
  }
  if (o.slo !== undefined) {
    if (o.slo === null || typeof o.slo !== 'object') throw new ConfigError(`${where}.slo must be an object such as { ttft: 500, tpot: 50 }`);
    checkKeys(o.slo as Record<string, unknown>, SLO_KNOWN, `${where}.slo`);
    for (const [k, v] of Object.entries(o.slo)) if (typeof v !== 'number' || !(v > 0)) throw new ConfigError(`${where}.slo.${k} must be a number of milliseconds > 0`);
  }
}

/** Drops null values (JSON's way of saying "not set"), recursively for plain objects. */
function dropNulls<T>(v: T): T {
  if (Array.isArray(v) || v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== null) out[k] = dropNulls(x);
  return out as T;
}

/** Reads a --config file: JSON with the shape of a script's options (types/options.d.ts `Options`). */
export function readConfigFile(file: string): ScriptOptions {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`--config ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'CONFIG_FILE');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`--config ${file}: not valid JSON: ${(e as Error).message}`, 'CONFIG_FILE');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`--config ${file}: must hold a JSON object of options, e.g. {"vus": 4, "llm": {"url": "http://127.0.0.1:8000/v1"}}`, 'CONFIG_FILE');
  const opts = dropNulls(parsed) as ScriptOptions;
  checkLayer(opts, `--config ${file}`);
  return opts;
}

/** Parses a text value (environment variable) of an option; `what` names it in errors. */
function parseText(spec: OptionSpec, raw: string, what: string): unknown {
  const v = raw.trim();
  switch (spec.parse) {
    case 'int':
      if (!/^\d+$/.test(v)) throw new ConfigError(`${what}=${JSON.stringify(raw)}: must be a whole number`);
      return Number(v);
    case 'bool':
      if (!/^(true|false|1|0)$/i.test(v)) throw new ConfigError(`${what}=${JSON.stringify(raw)}: must be true or false`);
      return /^(true|1)$/i.test(v);
    case 'list':
      return v.split(',').map((x) => x.trim()).filter(Boolean);
    case 'stages':
      return parseStages([v], what);
    default:
      return v;
  }
}

/** The LLMPERF_* variables as an options layer (runtime/options/table.ts). Empty values count as not set. */
export function envLayer(env: Record<string, string | undefined>): ScriptOptions {
  const o: Record<string, unknown> = {};
  for (const spec of OPTION_TABLE as readonly OptionSpec[]) {
    if (!spec.env) continue;
    const raw = env[spec.env];
    if (raw === undefined || raw.trim() === '') continue;
    setPath(o, spec.path, parseText(spec, raw, spec.env));
  }
  return o as ScriptOptions;
}

/** CLI flags / programmatic overrides as an options layer (runtime/options/table.ts). */
function cliLayer(c: Overrides): ScriptOptions {
  const o: Record<string, unknown> = {};
  for (const spec of OPTION_TABLE as readonly OptionSpec[]) {
    const v = c[spec.override];
    if (v !== undefined) setPath(o, spec.path, v);
  }
  return o as ScriptOptions;
}

interface Layer {
  source: OptionSource;
  o: ScriptOptions;
}

const hasScenarios = (o: ScriptOptions) => !!o.scenarios && Object.keys(o.scenarios).length > 0;
const hasShortcut = (o: ScriptOptions) => o.vus !== undefined || o.iterations !== undefined || o.duration !== undefined || o.stages !== undefined;

/** Resolves the options (see the top of this file). `config` is the --config file's layer. */
export function resolveOptions(script: ScriptOptions, env: Record<string, string | undefined>, cli: Overrides, config?: ScriptOptions): ResolvedOptions {
  return resolveWithSources(script, env, cli, config).options;
}

/** Like resolveOptions, plus the layer each value came from. */
export function resolveWithSources(script: ScriptOptions, env: Record<string, string | undefined>, cli: Overrides, config: ScriptOptions = {}): Resolution {
  if (script === null || typeof script !== 'object' || Array.isArray(script)) throw new ConfigError('export const options must be an object');
  checkLayer(script, 'options');
  checkLayer(config, 'config');
  const layers: Layer[] = [
    { source: 'cli', o: cliLayer(cli) },
    { source: 'env', o: envLayer(env) },
    { source: 'script', o: script },
    { source: 'config', o: config },
  ];
  const sources: OptionSources = {};
  /** The value from the highest layer that sets it, else `def` (source 'default'); records the source. */
  function pick<T>(key: string, get: (o: ScriptOptions) => T | undefined, def?: T, from: Layer[] = layers): T | undefined {
    for (const l of from) {
      const v = get(l.o);
      if (v !== undefined) {
        sources[key] = l.source;
        return v;
      }
    }
    if (def !== undefined) sources[key] = 'default';
    return def;
  }
  /** Key-by-key merge of a string map, higher layers winning. */
  function merge(key: string, get: (o: ScriptOptions) => Record<string, string> | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    for (const l of [...layers].reverse()) {
      for (const [k, v] of Object.entries(get(l.o) ?? {})) {
        out[k] = v;
        sources[`${key}.${k}`] = l.source;
      }
    }
    return out;
  }

  // --- scenarios
  const top = layers.find((l) => hasScenarios(l.o) || hasShortcut(l.o));
  let rawScenarios: Record<string, unknown>;
  if (!top) {
    rawScenarios = { default: shortcutScenario({}) };
    sources.scenarios = 'default';
  } else if (hasScenarios(top.o)) {
    if (hasShortcut(top.o)) {
      throw new ConfigError(`${top.source === 'script' ? 'options' : top.source}: use either scenarios or the shortcuts vus/iterations/duration/stages, not both`);
    }
    rawScenarios = top.o.scenarios!;
    sources.scenarios = top.source;
  } else {
    const lower = layers.slice(layers.indexOf(top)).filter((l) => !hasScenarios(l.o));
    const vus = pick('vus', (o) => o.vus, undefined, lower);
    const shape = lower.find((l) => l.o.iterations !== undefined || l.o.duration !== undefined || l.o.stages !== undefined);
    for (const k of ['iterations', 'duration', 'stages'] as const) if (shape && shape.o[k] !== undefined) sources[k] = shape.source;
    rawScenarios = {
      default: shortcutScenario({
        ...(vus !== undefined ? { vus } : {}),
        ...(shape?.o.iterations !== undefined ? { iterations: shape.o.iterations } : {}),
        ...(shape?.o.duration !== undefined ? { duration: shape.o.duration } : {}),
        ...(shape?.o.stages !== undefined ? { stages: shape.o.stages } : {}),
      }),
    };
    sources.scenarios = top.source;
  }
  const scenarios = Object.entries(rawScenarios).map(([name, raw]) => parseScenario(name, raw));

  // --- llm target
  const url = pick('llm.url', (o) => o.llm?.url);
  if (url !== undefined) {
    try {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    } catch {
      throw new ConfigError(`invalid URL ${JSON.stringify(url)} (from ${sources['llm.url']}): give an http(s) base URL such as http://127.0.0.1:8000/v1`);
    }
  }
  const stats = pick('summaryTrendStats', (o) => o.summaryTrendStats as string[] | undefined, DEFAULT_TREND_STATS)!;
  if (!Array.isArray(stats)) throw new ConfigError('summaryTrendStats must be an array such as ["avg", "p(95)"]');
  for (const s of stats) parseStat(s);
  const unit = pick('summaryTimeUnit', (o) => o.summaryTimeUnit);
  if (unit !== undefined && !['s', 'ms', 'us'].includes(unit)) throw new ConfigError(`summaryTimeUnit must be "s", "ms" or "us", got ${JSON.stringify(unit)} (from ${sources.summaryTimeUnit})`);
  const dur = (key: string, get: (o: ScriptOptions) => string | number | undefined, def: string | number) => {
    const v = pick(key, get, def)!;
    return parseDuration(v, `${key} (from ${sources[key]})`);
  };

  const options: ResolvedOptions = {
    scenarios,
    thresholds: (pick('thresholds', (o) => o.thresholds) ?? {}) as Record<string, unknown>,
    llm: {
      url,
      model: pick('llm.model', (o) => o.llm?.model, optionDefault<string>('llm.model'))!,
      apiKey: pick('llm.apiKey', (o) => o.llm?.apiKey),
      headers: merge('llm.headers', (o) => o.llm?.headers),
      api: pick('llm.api', (o) => o.llm?.api, optionDefault<string>('llm.api'))!,
      includeUsage: pick('llm.includeUsage', (o) => o.llm?.includeUsage, optionDefault<boolean>('llm.includeUsage'))!,
      totalTimeoutMs: dur('llm.timeout', (o) => o.llm?.timeout, optionDefault<string>('llm.timeout')!),
      connectTimeoutMs: dur('llm.connectTimeout', (o) => o.llm?.connectTimeout, optionDefault<string>('llm.connectTimeout')!),
      readTimeoutMs: dur('llm.readTimeout', (o) => o.llm?.readTimeout, optionDefault<string>('llm.readTimeout')!),
      tokenizer: pick('llm.tokenizer', (o) => o.llm?.tokenizer),
    },
    slo: pick('slo', (o) => o.slo),
    summaryTrendStats: stats,
    summaryTimeUnit: unit,
    setupTimeoutMs: dur('setupTimeout', (o) => o.setupTimeout, '60s'),
    teardownTimeoutMs: dur('teardownTimeout', (o) => o.teardownTimeout, '60s'),
    iterationTimeoutMs: dur('iterationTimeout', (o) => o.iterationTimeout, 0),
    tags: merge('tags', (o) => o.tags),
    name: pick('name', (o) => o.name),
    insecureSkipTLSVerify: pick('insecureSkipTLSVerify', (o) => o.insecureSkipTLSVerify, optionDefault<boolean>('insecureSkipTLSVerify'))!,
  };
  if (typeof options.insecureSkipTLSVerify !== 'boolean') throw new ConfigError(`insecureSkipTLSVerify must be true or false (from ${sources.insecureSkipTLSVerify})`);
  checkHeaders(options.llm.headers, sources, options.llm.apiKey);
  return { options, sources };
}

/**
 * Header names must be HTTP tokens and values may not hold line breaks (CR, LF) or NUL: refused here,
 * before the run, instead of failing every request. The value is never echoed (it may be a secret).
 */
function checkHeaders(h: Record<string, string>, sources: OptionSources, apiKey: string | undefined): void {
  for (const [k, v] of Object.entries(h)) {
    const from = sources[`llm.headers.${k}`];
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k)) throw new ConfigError(`header name ${JSON.stringify(k.slice(0, 80))} (from ${from ?? 'options'}): use letters, digits and - only (no spaces, colons or line breaks)`, 'INVALID_HEADER');
    if (typeof v !== 'string') throw new ConfigError(`header ${k} (from ${from ?? 'options'}): the value must be a string`, 'INVALID_HEADER');
    if (/[\r\n\0]/.test(v)) throw new ConfigError(`header ${k} (from ${from ?? 'options'}): the value holds a line break (CR/LF) or NUL, which HTTP does not allow: remove it (a CRLF copied from a file or a terminal?)`, 'INVALID_HEADER');
  }
  if (apiKey !== undefined && /[\r\n\0]/.test(apiKey)) throw new ConfigError('the API key (--api-key, LLMPERF_API_KEY, options.llm.apiKey) holds a line break (CR/LF) or NUL: remove it', 'INVALID_HEADER');
}
