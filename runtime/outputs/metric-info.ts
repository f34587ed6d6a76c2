/**
 * What streaming outputs say about a metric the first time they see it: its type and value kind
 * (from the registry once the run started, else the built-in table) and the thresholds set on it.
 */
import type { RunStartInfo } from '../engine/run.ts';
import { BUILTIN_METRICS } from '../metrics/builtin.ts';
import { parseSelector } from '../metrics/expression.ts';
import type { MetricType, ValueKind } from '../metrics/types.ts';

export interface MetricInfo {
  type: MetricType;
  contains: ValueKind;
  /** threshold expressions on the metric itself */
  thresholds: string[];
  /** sub-metrics named by thresholds, k6's shape */
  submetrics: Array<{ name: string; suffix: string; tags: Record<string, string> }> | null;
}

export class MetricInfoSource {
  private info: RunStartInfo | undefined;
  private readonly byMetric = new Map<string, { thresholds: string[]; subs: Array<{ name: string; suffix: string; tags: Record<string, string> }> }>();

  start(info: RunStartInfo): void {
    this.info = info;
    for (const [selector, spec] of Object.entries(info.options.thresholds)) {
      let parts;
      try {
        parts = parseSelector(selector);
      } catch {
        continue;
      }
      const e = this.byMetric.get(parts.metric) ?? { thresholds: [], subs: [] };
      if (parts.tags.length === 0) e.thresholds.push(...sourcesOf(spec));
      else {
        const suffix = parts.tags.map(([k, v]) => `${k}:${v}`).join(',');
        e.subs.push({ name: `${parts.metric}{${suffix}}`, suffix, tags: Object.fromEntries(parts.tags) });
      }
      this.byMetric.set(parts.metric, e);
    }
  }

  get started(): boolean {
    return this.info !== undefined;
  }

  of(metric: string): MetricInfo {
    const m = this.info?.registry.get(metric);
    const b = (BUILTIN_METRICS as Record<string, { type: MetricType; kind: ValueKind }>)[metric];
    const e = this.byMetric.get(metric);
    return {
      type: m?.type ?? b?.type ?? 'trend',
      contains: m?.kind ?? b?.kind ?? 'default',
      thresholds: e?.thresholds ?? [],
      submetrics: e?.subs.length ? e.subs : null,
    };
  }
}

function sourcesOf(spec: unknown): string[] {
  const list = Array.isArray(spec) ? spec : [spec];
  const out: string[] = [];
  for (const t of list) {
    if (typeof t === 'string') out.push(t);
    else if (t && typeof t === 'object' && typeof (t as { threshold?: unknown }).threshold === 'string') out.push((t as { threshold: string }).threshold);
  }
  return out;
}
