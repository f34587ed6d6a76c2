/**
 * The metric registry: metric definitions, their root sinks and tag-filtered sub-metrics.
 *
 * Sub-metrics (`llm_ttft{scenario:chat,model:qwen}`) exist only where something asks for them
 * (a threshold, the summary, an output), as in k6: every sample is matched against the sub-metrics
 * of its metric, so cost stays proportional to what is asked, never to tag cardinality.
 */
import { ConfigError } from '../errors.ts';
import { suggest } from '../suggest.ts';
import { formatSelector, METRIC_NAME_RE, parseSelector } from './expression.ts';
import { BUILTIN_METRICS } from './builtin.ts';
import { newSink, type EncodedSink, type Sink } from './sinks.ts';
import type { MetricType, Tags, ValueKind } from './types.ts';

export interface SubMetric {
  /** Canonical selector, `metric{k:v,...}` with tags in the order written. */
  readonly name: string;
  readonly parent: string;
  readonly filter: ReadonlyArray<readonly [string, string]>;
  readonly sink: Sink;
}

export interface Metric {
  readonly name: string;
  readonly type: MetricType;
  readonly kind: ValueKind;
  readonly builtin: boolean;
  readonly sink: Sink;
  readonly submetrics: SubMetric[];
}

export class Registry {
  private readonly metrics = new Map<string, Metric>();

  constructor(opts: { builtins?: boolean } = {}) {
    if (opts.builtins !== false) for (const [name, def] of Object.entries(BUILTIN_METRICS)) this.define(name, def.type, def.kind, true);
  }

  /** Defines a metric, or returns the existing one when the definition matches. */
  define(name: string, type: MetricType, kind: ValueKind = 'default', builtin = false): Metric {
    const existing = this.metrics.get(name);
    if (existing) {
      if (existing.type !== type) throw new ConfigError(`metric ${name} is already defined as a ${existing.type}, cannot redefine it as a ${type}`);
      return existing;
    }
    if (!METRIC_NAME_RE.test(name)) throw new ConfigError(`invalid metric name ${JSON.stringify(name)}: use letters, digits and _ (max 128), not starting with a digit`);
    const m: Metric = { name, type, kind, builtin, sink: newSink(type), submetrics: [] };
    this.metrics.set(name, m);
    return m;
  }

  get(name: string): Metric | undefined {
    return this.metrics.get(name);
  }

  all(): Metric[] {
    return [...this.metrics.values()];
  }

  /** Returns the sink for `name` or `name{tags}`, creating the sub-metric on first use. */
  sinkFor(selector: string): Sink {
    const { metric, tags } = parseSelector(selector);
    const m = this.metrics.get(metric);
    if (!m) throw new ConfigError(`unknown metric ${JSON.stringify(metric)}${suggest(metric, [...this.metrics.keys()])}`);
    if (tags.length === 0) return m.sink;
    return this.submetric(m, tags).sink;
  }

  submetric(m: Metric, tags: ReadonlyArray<readonly [string, string]>): SubMetric {
    const name = formatSelector({ metric: m.name, tags });
    let sm = m.submetrics.find((s) => s.name === name);
    if (!sm) {
      sm = { name, parent: m.name, filter: tags.map(([k, v]) => [k, v] as const), sink: newSink(m.type) };
      m.submetrics.push(sm);
    }
    return sm;
  }

  /** Adds a sample to a metric and every matching sub-metric. Unknown metrics throw. */
  add(name: string, value: number, tags: Tags, time: number): void {
    const m = this.metrics.get(name);
    if (!m) throw new ConfigError(`unknown metric ${JSON.stringify(name)}`);
    m.sink.add(value, time);
    const subs = m.submetrics;
    for (let i = 0; i < subs.length; i++) if (matches(subs[i]!.filter, tags)) subs[i]!.sink.add(value, time);
  }

  /** add() for several values with the same tags (per-token latencies): the lookups happen once. */
  addMany(name: string, values: readonly number[], tags: Tags, time: number): void {
    const m = this.metrics.get(name);
    if (!m) throw new ConfigError(`unknown metric ${JSON.stringify(name)}`);
    const sink = m.sink;
    for (let j = 0; j < values.length; j++) sink.add(values[j]!, time);
    const subs = m.submetrics;
    for (let i = 0; i < subs.length; i++) {
      if (!matches(subs[i]!.filter, tags)) continue;
      const ss = subs[i]!.sink;
      for (let j = 0; j < values.length; j++) ss.add(values[j]!, time);
    }
  }

  /** Exact, mergeable snapshot of every metric and sub-metric. */
  encode(): EncodedRegistry {
    const out: EncodedRegistry = { version: 1, metrics: {} };
    for (const m of this.metrics.values()) {
      out.metrics[m.name] = {
        type: m.type,
        kind: m.kind,
        builtin: m.builtin,
        sink: m.sink.encode(),
        submetrics: Object.fromEntries(m.submetrics.map((s) => [s.name, s.sink.encode()])),
      };
    }
    return out;
  }

  /** Adds an encoded registry (another process's run) into this one. */
  merge(e: EncodedRegistry): void {
    for (const [name, em] of Object.entries(e.metrics)) {
      const m = this.define(name, em.type, em.kind, em.builtin);
      m.sink.mergeEncoded(em.sink);
      for (const [sel, es] of Object.entries(em.submetrics)) {
        const { tags } = parseSelector(sel);
        this.submetric(m, tags).sink.mergeEncoded(es);
      }
    }
  }

  free(): void {
    for (const m of this.metrics.values()) {
      m.sink.free();
      for (const s of m.submetrics) s.sink.free();
    }
  }
}

export interface EncodedRegistry {
  version: 1;
  metrics: Record<string, { type: MetricType; kind: ValueKind; builtin: boolean; sink: EncodedSink; submetrics: Record<string, EncodedSink> }>;
}

function matches(filter: ReadonlyArray<readonly [string, string]>, tags: Tags): boolean {
  for (const [k, v] of filter) if (tags[k] !== v) return false;
  return true;
}
