/**
 * The one path samples and request records take: into the registry (aggregation) and to any
 * attached listeners (outputs, store, live progress, timeline). Listeners must not block: they
 * buffer and flush on their own schedule.
 */
import type { RequestRecord } from '../llm/types.ts';
import type { Registry } from '../metrics/registry.ts';
import type { Sample, Tags } from '../metrics/types.ts';
import { boundTags, MAX_TAG_KEY, MAX_TAG_VALUE } from '../metrics/limits.ts';

// What listeners implement: defined once, in the public types (run()'s listeners).
export type { SampleListener } from '../../types/run.d.ts';
import type { SampleListener } from '../../types/run.d.ts';

export class Emitter {
  private sampleListeners: SampleListener[] = [];
  private recordListeners: SampleListener[] = [];
  private readonly warned = new Set<string>();
  /** where a tag cut (runtime/metrics/limits.ts) is told, once per kind */
  onLimit: ((message: string) => void) | undefined;
  private readonly warn = (what: string): void => {
    const kind = what.replace(/\d+ characters/, 'N characters');
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    this.onLimit?.(`${what} (tags are limited to ${MAX_TAG_KEY}-character names and ${MAX_TAG_VALUE}-character values; further cuts are not reported)`);
  };
  constructor(readonly registry: Registry) {}

  attach(l: SampleListener): void {
    if (l.onSample) this.sampleListeners.push(l);
    if (l.onRecord) this.recordListeners.push(l);
  }

  sample(metric: string, value: number, tags: Tags, time = Date.now()): void {
    tags = boundTags(tags, this.warn);
    this.registry.add(metric, value, tags, time);
    const ls = this.sampleListeners;
    if (ls.length) {
      const s: Sample = { metric, value, tags, time };
      for (let i = 0; i < ls.length; i++) ls[i]!.onSample!(s);
    }
  }

  /** sample() for several values of one metric with the same tags and time. */
  samples(metric: string, values: readonly number[], tags: Tags, time = Date.now()): void {
    if (values.length === 0) return;
    tags = boundTags(tags, this.warn);
    this.registry.addMany(metric, values, tags, time);
    const ls = this.sampleListeners;
    for (let j = 0; j < values.length && ls.length; j++) {
      const s: Sample = { metric, value: values[j]!, tags, time };
      for (let i = 0; i < ls.length; i++) ls[i]!.onSample!(s);
    }
  }

  record(r: RequestRecord): void {
    const tags = boundTags(r.tags, this.warn);
    if (tags !== r.tags) r = { ...r, tags };
    const ls = this.recordListeners;
    for (let i = 0; i < ls.length; i++) ls[i]!.onRecord!(r);
  }
}
