/**
 * `--out csv=points.csv`: every metric sample as one CSV row, with k6's layout: metric_name,
 * timestamp, metric_value, one column per well-known tag, then `extra_tags` (k=v&k2=v2) for the rest.
 * Timestamps are unix seconds like k6's default; LLMPERF_CSV_TIME_FORMAT=unix_milli|rfc3339 changes it.
 */
import { ConfigError } from '../errors.ts';
import type { Sample } from '../metrics/types.ts';
import { BufferedFileWriter } from './file-writer.ts';
import type { Output, OutputFactory } from './output.ts';

/** The tag columns, in order (llmperf's system tags; k6's HTTP-only ones are left out). */
export const CSV_TAG_COLUMNS = ['check', 'error_code', 'group', 'name', 'scenario', 'status', 'model', 'api'] as const;
export const CSV_HEADER = ['metric_name', 'timestamp', 'metric_value', ...CSV_TAG_COLUMNS, 'extra_tags'].join(',');

type TimeFormat = 'unix' | 'unix_milli' | 'rfc3339';

export class CsvOutput implements Output {
  private readonly writer: BufferedFileWriter;
  private lastTags: object | null = null;
  private lastTagCells = '';

  constructor(file: string, log: (l: string) => void, private readonly timeFormat: TimeFormat = 'unix') {
    this.writer = new BufferedFileWriter(file, log);
    this.writer.write(CSV_HEADER + '\n');
  }

  ready(): Promise<void> {
    return this.writer.ready();
  }

  onSample(s: Sample): void {
    if (s.tags !== this.lastTags) {
      this.lastTags = s.tags;
      this.lastTagCells = tagCells(s.tags);
    }
    this.writer.write(`${s.metric},${this.time(s.time)},${Number.isFinite(s.value) ? s.value.toFixed(6) : ''},${this.lastTagCells}\n`);
  }

  private time(ms: number): string {
    if (this.timeFormat === 'unix_milli') return String(Math.round(ms));
    if (this.timeFormat === 'rfc3339') return new Date(ms).toISOString();
    return String(Math.floor(ms / 1000));
  }

  flush(): void {
    this.writer.flush();
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}

function tagCells(tags: Readonly<Record<string, string>>): string {
  const cells: string[] = CSV_TAG_COLUMNS.map((c) => cell(tags[c] ?? ''));
  const extra: string[] = [];
  for (const [k, v] of Object.entries(tags)) {
    if (!(CSV_TAG_COLUMNS as readonly string[]).includes(k)) extra.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  }
  cells.push(cell(extra.join('&')));
  return cells.join(',');
}

/** RFC 4180 quoting, only when needed. */
export function cell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export const csvOutput: OutputFactory = async (arg, ctx) => {
  if (!arg) throw new ConfigError('--out csv needs a file: --out csv=points.csv');
  const fmt = process.env.LLMPERF_CSV_TIME_FORMAT ?? 'unix';
  if (fmt !== 'unix' && fmt !== 'unix_milli' && fmt !== 'rfc3339') throw new ConfigError(`LLMPERF_CSV_TIME_FORMAT=${fmt}: use unix, unix_milli or rfc3339`);
  const o = new CsvOutput(arg, ctx.log, fmt);
  await o.ready();
  return o;
};
