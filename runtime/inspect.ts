/**
 * `llmperf inspect`: what a run of this script would do, without running it. Bundles the script,
 * runs its init code once (probe VU), resolves the options through every layer (defaults < --config
 * < script < LLMPERF_* < flags) and plans each scenario. Reports every resolved value with the layer
 * it came from, and validates what `llmperf run` validates before it starts (thresholds, exec functions).
 */
import type { ExecutionPlan } from './executors/index.ts';
import { loadScript, type ScriptSource } from './engine/load.ts';
import { prepareRun } from './engine/prepare.ts';
import { formatDuration } from './options/duration.ts';
import type { OptionSource, OptionSources, Overrides, ResolvedOptions, ScriptOptions } from './options/resolve.ts';
import { redactDeep, redactEnv, redactHeaders, redactUrl } from './secrets.ts';

export interface InspectRequest {
  script: ScriptSource;
  /** -e KEY=VALUE variables, on top of the system environment unless systemEnv is false */
  env?: Record<string, string>;
  systemEnv?: boolean;
  overrides?: Overrides;
  /** the --config file's options */
  config?: ScriptOptions;
  /** --allow-read paths */
  allowRead?: string[];
  log?: (line: string) => void;
}

export interface InspectedScenario {
  name: string;
  executor: string;
  exec: string;
  startTimeMs: number;
  gracefulStopMs: number;
  /** one line, as k6 prints it */
  description: string;
  plan: ExecutionPlan;
}

export interface InspectResult {
  script: string;
  exports: string[];
  options: ResolvedOptions;
  sources: OptionSources;
  scenarios: InspectedScenario[];
  thresholds: Array<{ metric: string; expression: string; abortOnFail: boolean }>;
  customMetrics: Array<{ name: string; type: string }>;
  /** sum of the scenarios' max VUs */
  maxVUs: number;
  /** the latest scenario end, graceful stop included (ms) */
  maxDurationMs: number;
}


export async function inspectScript(req: InspectRequest): Promise<InspectResult> {
  const loaded = await loadScript({ script: req.script, ...(req.env ? { env: req.env } : {}), ...(req.systemEnv !== undefined ? { systemEnv: req.systemEnv } : {}), ...(req.log ? { log: req.log } : {}), ...(req.allowRead ? { allowRead: req.allowRead } : {}), isolateMemoryMb: 256, vusPerIsolate: 1, storeBodies: false, ...(req.overrides?.tokenizer ? { tokenizer: req.overrides.tokenizer } : {}) });
  try {
    const p = await prepareRun(loaded, { ...(req.overrides ? { overrides: req.overrides } : {}), ...(req.config ? { config: req.config } : {}) }, { openTarget: false });
    const scenarios = p.plans.map(({ scenario: c, plan }): InspectedScenario => ({ name: c.name, executor: c.executor, exec: c.exec, startTimeMs: c.startTimeMs, gracefulStopMs: c.gracefulStopMs, description: plan.description, plan }));
    return {
      script: loaded.bundle.entry,
      exports: loaded.functions,
      options: p.options,
      sources: p.sources,
      scenarios,
      thresholds: p.thresholds.filter((t) => !t.implicit).map((t) => ({ metric: t.metric, expression: t.source, abortOnFail: t.abortOnFail })),
      customMetrics: loaded.registry.all().filter((m) => !m.builtin).map((m) => ({ name: m.name, type: m.type })),
      maxVUs: scenarios.reduce((a, s) => a + s.plan.maxVUs, 0),
      maxDurationMs: scenarios.reduce((a, s) => Math.max(a, s.startTimeMs + s.plan.durationMs + s.gracefulStopMs), 0),
    };
  } finally {
    loaded.dispose();
  }
}

/** The resolved values shown by inspect, in order: [dotted path, display value]. Secrets are redacted. */
export function resolvedRows(r: InspectResult): Array<[string, string]> {
  const o = r.options;
  const rows: Array<[string, string]> = [];
  const add = (k: string, v: string) => rows.push([k, v]);
  add('scenarios', o.scenarios.map((s) => `${s.name} (${s.executor})`).join(', '));
  add('llm.url', o.llm.url !== undefined ? redactUrl(o.llm.url) : '(none: the built-in mock server)');
  add('llm.model', o.llm.model);
  add('llm.api', o.llm.api);
  add('llm.apiKey', o.llm.apiKey === undefined ? '(none)' : '[REDACTED]');
  for (const [k, v] of Object.entries(o.llm.headers)) add(`llm.headers.${k}`, redactHeaders({ [k]: v })[k]!);
  add('llm.includeUsage', String(o.llm.includeUsage));
  add('llm.timeout', formatDuration(o.llm.totalTimeoutMs));
  add('llm.connectTimeout', formatDuration(o.llm.connectTimeoutMs));
  add('llm.readTimeout', formatDuration(o.llm.readTimeoutMs));
  add('llm.tokenizer', o.llm.tokenizer ?? '(none: server usage, else estimates)');
  add('thresholds', `${r.thresholds.length} expression${r.thresholds.length === 1 ? '' : 's'} on ${new Set(r.thresholds.map((t) => t.metric)).size} metric(s)`);
  add('slo', o.slo ? Object.entries(o.slo).map(([k, v]) => `${k}<=${v}ms`).join(', ') : '(none)');
  add('summaryTrendStats', o.summaryTrendStats.join(', '));
  add('summaryTimeUnit', o.summaryTimeUnit ?? '(auto)');
  add('setupTimeout', formatDuration(o.setupTimeoutMs));
  add('teardownTimeout', formatDuration(o.teardownTimeoutMs));
  add('iterationTimeout', o.iterationTimeoutMs ? formatDuration(o.iterationTimeoutMs) : '(default: 30s of CPU)');
  for (const [k, v] of Object.entries(redactEnv(o.tags))) add(`tags.${k}`, v);
  if (o.name !== undefined) add('name', o.name);
  return rows;
}

/** Where a row's value came from ('default' when no layer set it). */
export function sourceOf(r: InspectResult, key: string): OptionSource {
  return r.sources[key] ?? 'default';
}

/** The text report (what `llmperf inspect` prints). */
export function renderInspect(r: InspectResult): string {
  const out: string[] = [];
  out.push(`script: ${r.script}`);
  out.push(`exports: ${r.exports.join(', ') || '(none)'}`);
  out.push('');
  out.push(`execution plan: ${r.scenarios.length} scenario${r.scenarios.length === 1 ? '' : 's'}, ${r.maxVUs} max VUs, ${formatDuration(r.maxDurationMs)} max duration (incl. graceful stop)`);
  for (const s of r.scenarios) {
    const extra = [s.exec !== 'default' ? `exec: ${s.exec}` : '', s.startTimeMs ? `startTime: ${formatDuration(s.startTimeMs)}` : ''].filter(Boolean).join(', ');
    out.push(`  * ${s.name}: ${s.description}${extra ? ` [${extra}]` : ''}`);
  }
  out.push('');
  const rows = resolvedRows(r);
  const shortcut = ['vus', 'iterations', 'duration', 'stages'].filter((k) => r.sources[k]).map((k) => `${k} from ${r.sources[k]}`);
  const w = Math.max(...rows.map(([k]) => k.length)) + 2;
  const vw = Math.min(60, Math.max(...rows.map(([, v]) => v.length)) + 2);
  out.push(`options${' '.repeat(Math.max(1, w - 5))}${'value'.padEnd(vw)}from`);
  for (const [k, v] of rows) {
    let from: string = sourceOf(r, k);
    if (k === 'scenarios' && shortcut.length) from += ` (shortcuts: ${shortcut.join(', ')})`;
    out.push(`  ${k.padEnd(w)}${(v.length > vw - 2 ? v.slice(0, vw - 3) + '…' : v).padEnd(vw)}${from}`);
  }
  if (r.thresholds.length) {
    out.push('');
    out.push(`thresholds (from ${sourceOf(r, 'thresholds')}):`);
    for (const t of r.thresholds) out.push(`  ${t.metric}: ${t.expression}${t.abortOnFail ? ' (abortOnFail)' : ''}`);
  }
  if (r.customMetrics.length) {
    out.push('');
    out.push(`custom metrics: ${r.customMetrics.map((m) => `${m.name} (${m.type})`).join(', ')}`);
  }
  return out.join('\n') + '\n';
}

/** The JSON report (`llmperf inspect --json`): resolved options (secrets redacted), sources and the plan. */
export function inspectJson(r: InspectResult): Record<string, unknown> {
  return {
    script: r.script,
    exports: r.exports,
    options: redactDeep({ ...r.options, llm: { ...r.options.llm, apiKey: r.options.llm.apiKey === undefined ? null : '[REDACTED]', url: r.options.llm.url ?? null, tokenizer: r.options.llm.tokenizer ?? null } }),
    sources: r.sources,
    scenarios: r.scenarios.map((s) => ({ name: s.name, executor: s.executor, exec: s.exec, startTimeMs: s.startTimeMs, gracefulStopMs: s.gracefulStopMs, description: s.description, preAllocatedVUs: s.plan.preAllocatedVUs, maxVUs: s.plan.maxVUs, durationMs: s.plan.durationMs, iterations: s.plan.iterations })),
    thresholds: r.thresholds,
    customMetrics: r.customMetrics,
    maxVUs: r.maxVUs,
    maxDurationMs: r.maxDurationMs,
  };
}
