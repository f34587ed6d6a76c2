/**
 * The machine-readable summary: k6's handleSummary shape (metrics with values and thresholds,
 * root_group with checks, options, state) plus an `llm` section with the headline figures LLM
 * engineers read (evalscope / vLLM bench): throughput, goodput, success rate, percentiles.
 * summary.json is this object; handleSummary(data) receives it.
 */
import type { RunResult } from '../engine/run.ts';
import type { Sink } from '../metrics/sinks.ts';
import type { Metric } from '../metrics/registry.ts';
import { parseStat } from '../metrics/expression.ts';
import { redactDeep, redactUrl } from '../secrets.ts';
import { INTEGER_METRICS } from '../metrics/builtin.ts';
import { provenanceLabel, reasoningSummary, streamHealth, tokenProvenance, type ResponseFacts } from './provenance.ts';

export const SUMMARY_SCHEMA_VERSION = 1;

// The summary's shape is defined once, in the public types (what handleSummary receives).
import type { LlmHeadline, MetricValues, SummaryData, SummaryMetric } from '../../types/summary.d.ts';
export type { LlmHeadline, MetricValues, SummaryData, SummaryMetric };


declare const __LLMPERF_VERSION__: string | undefined;
export const VERSION: string = typeof __LLMPERF_VERSION__ === 'string' ? __LLMPERF_VERSION__ : '0.0.0-dev';

export const LLM_METRICS = ['llm_ttft', 'llm_tpot', 'llm_itl', 'llm_e2e', 'llm_input_tokens', 'llm_output_tokens', 'llm_output_tps', 'llm_ttft_answer', 'llm_reasoning_tokens', 'llm_answer_tokens', 'llm_batch_size', 'llm_input_tps'] as const;
export const LLM_DEFAULT_STATS = ['avg', 'p(50)', 'p(90)', 'p(95)', 'p(99)', 'max'];

export function statValue(sink: Sink, stat: string, durationMs: number): number {
  return sink.value(parseStat(stat), durationMs);
}

/**
 * A stat of a trend of whole numbers (INTEGER_METRICS): HDR histograms answer a percentile with
 * the highest value of its bucket (15 tokens read 15.007): rounded down to the integer it stands
 * for. avg stays a fraction.
 */
function wholeStat(stat: string, v: number): number {
  return stat === 'avg' || !Number.isFinite(v) ? v : Math.floor(v + 1e-9);
}

function valuesOf(sink: Sink, trendStats: string[], durationMs: number, integer = false): MetricValues {
  switch (sink.type) {
    case 'counter':
      return { count: sink.value({ name: 'count' }, durationMs), rate: sink.value({ name: 'rate' }, durationMs) };
    case 'gauge':
      return { value: nz(sink.value({ name: 'value' }, durationMs)), min: nz(sink.value({ name: 'min' }, durationMs)), max: nz(sink.value({ name: 'max' }, durationMs)) };
    case 'rate': {
      const passes = sink.value({ name: 'count' }, durationMs);
      return { rate: nz(sink.value({ name: 'rate' }, durationMs)), passes, fails: sink.count - passes };
    }
    case 'trend': {
      const out: MetricValues = {};
      const stats = [...new Set([...trendStats, 'count'])];
      for (const s of stats) out[s] = nz(integer ? wholeStat(s, statValue(sink, s, durationMs)) : statValue(sink, s, durationMs));
      return out;
    }
  }
}

function nz(v: number): number {
  return Number.isFinite(v) ? v : 0;
}

/** What the summary is built from: a run's result, or merged instances (runtime/results/merge.ts). */
export type SummaryInput = Pick<
  RunResult,
  | 'durationMs' | 'options' | 'scriptOptions' | 'evaluator' | 'registry' | 'checks' | 'scriptErrors' | 'plans' | 'startedAt' | 'stopReason'
  | 'abortMessage' | 'targetUrl' | 'embeddedMock' | 'peakInflight' | 'errorCounts' | 'errorSamples' | 'iterations' | 'interruptedIterations'
  | 'droppedIterations' | 'vusMax' | 'client' | 'responses'
>;

export function buildSummary(r: SummaryInput): SummaryData {
  const d = r.durationMs;
  const stats = r.options.summaryTrendStats;
  const metrics: Record<string, SummaryMetric> = {};
  // llmperf's implicit threshold (every request failed) is reported only when it failed
  const thresholdResults = r.evaluator.results().filter((t) => !(t.implicit && t.ok));
  const thresholdsBy = new Map<string, Record<string, { ok: boolean }>>();
  for (const t of thresholdResults) {
    const rec = thresholdsBy.get(t.metric) ?? {};
    rec[t.source] = { ok: t.ok };
    thresholdsBy.set(t.metric, rec);
  }
  const add = (name: string, m: Metric, sink: Sink) => {
    const th = thresholdsBy.get(name);
    if (sink.count === 0 && !th && !m.builtin) {
      /* custom metric never used: still listed */
    }
    if (sink.count === 0 && !th && m.builtin) return;
    metrics[name] = { type: m.type, contains: m.kind, values: valuesOf(sink, stats, d, INTEGER_METRICS.has(m.name)), ...(th ? { thresholds: th } : {}) };
  };
  for (const m of r.registry.all()) {
    add(m.name, m, m.sink);
    for (const sm of m.submetrics) {
      if (m.name === 'checks' && sm.filter.length === 1 && sm.filter[0]![0] === 'check' && !thresholdsBy.has(sm.name)) continue;
      add(sm.name, m, sm.sink);
    }
  }
  const reg = r.registry;
  const sinkOf = (n: string) => reg.get(n)!.sink;
  const reqs = sinkOf('llm_reqs').value({ name: 'count' }, d);
  const failed = sinkOf('llm_req_failed').value({ name: 'count' }, d);
  const succeeded = reqs - failed;
  const inTok = sinkOf('llm_input_tokens').value({ name: 'sum' }, d) || 0;
  const outTok = sinkOf('llm_output_tokens').value({ name: 'sum' }, d) || 0;
  const sec = d / 1000;
  const good = r.options.slo ? sinkOf('llm_goodput').value({ name: 'count' }, d) : null;
  const llmStats = r.scriptOptions.summaryTrendStats ?? LLM_DEFAULT_STATS;
  const percentiles: Record<string, Record<string, number>> = {};
  for (const name of LLM_METRICS) {
    const s = sinkOf(name);
    if (s.count === 0) continue;
    const integer = INTEGER_METRICS.has(name);
    percentiles[name] = Object.fromEntries(llmStats.map((st) => [st, nz(integer ? wholeStat(st, statValue(s, st, d)) : statValue(s, st, d))]));
  }
  const facts: ResponseFacts | undefined = r.responses;
  const provenance = facts ? tokenProvenance(facts) : undefined;
  const reasoning = facts ? reasoningSummary(facts) : undefined;
  const health = facts ? streamHealth(facts, r.client?.timestamps.late) : undefined;
  const checks = [...r.checks.entries()].map(([name, c]) => ({ name, path: `::${name}`, id: hashId(name), passes: c.passes, fails: c.fails }));
  return {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    llmperf: { version: VERSION, node: process.version },
    state: {
      isStdOutTTY: !!process.stdout.isTTY,
      isStdErrTTY: !!process.stderr.isTTY,
      testRunDurationMs: d,
      stopReason: r.stopReason,
      ...(r.abortMessage ? { abortMessage: r.abortMessage } : {}),
      startedAt: r.startedAt.toISOString(),
    },
    target: { url: redactUrl(r.targetUrl), embeddedMock: r.embeddedMock, model: r.options.llm.model, api: r.options.llm.api },
    options: redactDeep({ ...r.scriptOptions, llm: { ...r.scriptOptions.llm, ...(r.options.llm.url ? { url: r.options.llm.url } : {}), model: r.options.llm.model } }) as Record<string, unknown>,
    scenarios: r.plans.map((p) => ({ name: p.scenario.name, executor: p.scenario.executor, description: p.plan.description })),
    metrics,
    root_group: { name: '', path: '', id: hashId(''), groups: [], checks },
    thresholds: thresholdResults.map((t) => ({ metric: t.metric, source: t.source, ok: t.ok, observed: t.observed, aggregation: t.aggregation, ...(t.implicit ? { implicit: true } : {}) })),
    llm: {
      durationMs: d,
      requests: reqs,
      succeeded,
      failed,
      interrupted: sinkOf('llm_reqs_interrupted').value({ name: 'count' }, d),
      successRate: reqs ? succeeded / reqs : 0,
      requestThroughput: sec > 0 ? succeeded / sec : 0,
      outputTokenThroughput: sec > 0 ? outTok / sec : 0,
      inputTokenThroughput: sec > 0 ? inTok / sec : 0,
      totalTokenThroughput: sec > 0 ? (inTok + outTok) / sec : 0,
      inputTokens: inTok,
      outputTokens: outTok,
      goodput: good === null ? null : sec > 0 ? good / sec : 0,
      goodputShare: good === null ? null : reqs ? good / reqs : 0,
      slo: r.options.slo ? { ...(r.options.slo as Record<string, number>) } : null,
      peakConcurrency: r.peakInflight,
      errors: r.errorCounts,
      errorSamples: r.errorSamples,
      stats: llmStats,
      percentiles,
      tokenCountSources: provenance ? provenanceLabel(provenance) : '',
      ...(provenance ? { tokenSources: provenance } : {}),
      ...(reasoning ? { reasoning } : {}),
    },
    scriptErrors: r.scriptErrors.map((e) => ({ position: e.position, message: e.message, ...(e.examples.length > 1 ? { examples: e.examples } : {}), count: e.count })),
    iterations: { completed: r.iterations, interrupted: r.interruptedIterations, dropped: r.droppedIterations },
    vusMax: r.vusMax,
    ...(r.client ? { client: r.client } : {}),
    ...(health ? { streamHealth: health } : {}),
  };
}

function hashId(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(16).padStart(8, '0');
}
