/**
 * `--out json=points.jsonl`: every metric sample as one NDJSON line, in k6's JSON output format:
 *   {"type":"Metric","metric":"llm_ttft","data":{"type":"trend","contains":"time","tainted":null,"thresholds":["p(95)<500"],"submetrics":null}}
 *   {"type":"Point","metric":"llm_ttft","data":{"time":"2025-01-01T12:00:00.123Z","value":51.2,"tags":{"scenario":"default",...}}}
 * A Metric line is written once per metric, before its first Point. `.gz` paths are gzipped.
 */
import type { RunStartInfo } from '../engine/run.ts';
import type { Sample } from '../metrics/types.ts';
import { BufferedFileWriter } from './file-writer.ts';
import { MetricInfoSource } from './metric-info.ts';
import type { Output, OutputFactory } from './output.ts';
import { ConfigError } from '../errors.ts';

export class JsonOutput implements Output {
  private readonly writer: BufferedFileWriter;
  private readonly info = new MetricInfoSource();
  private readonly declared = new Set<string>();
  private lastTags: object | null = null;
  private lastTagsJson = 'null';

  constructor(file: string, log: (l: string) => void) {
    this.writer = new BufferedFileWriter(file, log);
  }

  ready(): Promise<void> {
    return this.writer.ready();
  }

  start(info: RunStartInfo): void {
    this.info.start(info);
  }

  onSample(s: Sample): void {
    if (!this.declared.has(s.metric)) {
      this.declared.add(s.metric);
      const m = this.info.of(s.metric);
      this.writer.write(
        JSON.stringify({ type: 'Metric', metric: s.metric, data: { type: m.type, contains: m.contains, tainted: null, thresholds: m.thresholds, submetrics: m.submetrics } }) + '\n',
      );
    }
    if (s.tags !== this.lastTags) {
      this.lastTags = s.tags;
      this.lastTagsJson = Object.keys(s.tags).length ? JSON.stringify(s.tags) : 'null';
    }
    this.writer.write(
      `{"type":"Point","metric":${JSON.stringify(s.metric)},"data":{"time":"${new Date(s.time).toISOString()}","value":${Number.isFinite(s.value) ? s.value : 'null'},"tags":${this.lastTagsJson}}}\n`,
    );
  }

  flush(): void {
    this.writer.flush();
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}

export const jsonOutput: OutputFactory = async (arg, ctx) => {
  if (!arg) throw new ConfigError('--out json needs a file: --out json=points.jsonl');
  const o = new JsonOutput(arg, ctx.log);
  await o.ready();
  return o;
};
