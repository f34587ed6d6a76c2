/**
 * `--out prometheus-rw=URL[,option=value...]`: pushes the run's metrics to a Prometheus remote-write
 * endpoint (Prometheus with --web.enable-remote-write-receiver, Mimir, Thanos, VictoriaMetrics...)
 * every `interval` (default 5s) and once more at the end.
 *
 * Options, after the URL, comma-separated:
 *   interval=2s          push period
 *   run=ID               the `run` label (default: $LLMPERF_RUN_ID, else the run directory's name, else a timestamp)
 *   instance=NAME        the `instance` label (default: $LLMPERF_INSTANCE, else hostname-pid)
 *   tags=scenario+model  sample tags exported as labels, `+`-separated (default: scenario+error_code)
 *   header=Name:Value    an extra HTTP header (repeatable), e.g. header=X-Scope-OrgID:team1
 * Credentials in the URL (http://user:pass@host/...) are sent as basic auth and never logged.
 *
 * Series (all values cumulative since the run started; time values in milliseconds), with labels
 * run, instance and the exported tags:
 *   counter  llmperf_<m>_total
 *   gauge    llmperf_<m>
 *   rate     llmperf_<m>_rate, llmperf_<m>_true_total (non-zero samples), llmperf_<m>_samples_total
 *   trend    llmperf_<m>_{count,sum,avg,min,max,p50,p90,p95,p99}
 * Counters and trend count/sum add up across instances in PromQL; percentiles do not (use max()).
 */
import { hostname } from 'node:os';
import path from 'node:path';
import type { RunStartInfo } from '../engine/run.ts';
import { ConfigError } from '../errors.ts';
import { TrendSink } from '../metrics/sinks.ts';
import type { MetricType, Sample, Tags } from '../metrics/types.ts';
import { parseDuration } from '../options/duration.ts';
import { MetricInfoSource } from './metric-info.ts';
import type { Output, OutputContext, OutputFactory } from './output.ts';
import { encodeWriteRequest, snappyCompress, sortLabels, type WireSeries } from './prometheus-rw-wire.ts';

export interface PrometheusRwConfig {
  url: string;
  intervalMs: number;
  run: string;
  instance: string;
  /** sample tags exported as labels */
  tags: string[];
  headers: Record<string, string>;
}

export const TREND_STATS = ['count', 'sum', 'avg', 'min', 'max', 'p50', 'p90', 'p95', 'p99'] as const;
export const DEFAULT_TAGS = ['scenario', 'error_code'];

/** The series names one metric produces, by type (the dashboard test checks its queries against this). */
export function seriesNames(metric: string, type: MetricType): string[] {
  const b = `llmperf_${metric}`;
  switch (type) {
    case 'counter':
      return [`${b}_total`];
    case 'gauge':
      return [b];
    case 'rate':
      return [`${b}_rate`, `${b}_true_total`, `${b}_samples_total`];
    case 'trend':
      return TREND_STATS.map((s) => `${b}_${s}`);
  }
}

function labelName(tag: string): string {
  const s = tag.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(s) ? `_${s}` : s;
}

function defaultRunId(runDir: string | undefined): string {
  if (process.env.LLMPERF_RUN_ID) return process.env.LLMPERF_RUN_ID;
  if (runDir) return path.basename(runDir);
  const d = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${d}-${Math.random().toString(36).slice(2, 6)}`;
}

/** Parses `URL[,key=value...]` (the text after `prometheus-rw=`). */
export function parsePrometheusRwArg(arg: string, env: { runDir?: string | undefined } = {}): PrometheusRwConfig {
  const example = 'e.g. --out prometheus-rw=http://127.0.0.1:9090/api/v1/write,interval=5s';
  const parts = arg.split(',').map((s) => s.trim());
  const rawUrl = parts.shift() ?? '';
  if (!rawUrl) throw new ConfigError(`--out prometheus-rw: give the remote-write URL, ${example}`);
  const shown = JSON.stringify(rawUrl.replace(/\/\/[^/@]*@/, '//***@')); // never echo credentials
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(rawUrl)) throw new ConfigError(`--out prometheus-rw: ${shown}: the URL must start with http:// or https://; ${example}`);
  let u: URL;
  try {
    u = new URL(rawUrl);
  } catch {
    throw new ConfigError(`--out prometheus-rw: ${shown} is not a URL; ${example}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError(`--out prometheus-rw: the URL must be http:// or https://, not ${u.protocol}; ${example}`);
  const headers: Record<string, string> = {};
  if (u.username || u.password) {
    headers.Authorization = 'Basic ' + Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
    u.username = '';
    u.password = '';
  }
  const cfg: PrometheusRwConfig = {
    url: u.toString(),
    intervalMs: 5000,
    run: '',
    instance: process.env.LLMPERF_INSTANCE || `${hostname()}-${process.pid}`,
    tags: DEFAULT_TAGS,
    headers,
  };
  for (const p of parts) {
    if (!p) continue;
    const eq = p.indexOf('=');
    const k = eq < 0 ? p : p.slice(0, eq).trim();
    const v = eq < 0 ? '' : p.slice(eq + 1).trim();
    switch (k) {
      case 'interval':
        cfg.intervalMs = parseDuration(v, '--out prometheus-rw interval');
        if (cfg.intervalMs < 100) throw new ConfigError(`--out prometheus-rw interval=${v}: use at least 100ms`);
        break;
      case 'run':
      case 'instance':
        if (!v) throw new ConfigError(`--out prometheus-rw ${k}=: give a value`);
        cfg[k] = v;
        break;
      case 'tags':
        cfg.tags = v.split('+').map((t) => t.trim()).filter(Boolean);
        break;
      case 'header': {
        const c = v.indexOf(':');
        if (c <= 0) throw new ConfigError(`--out prometheus-rw header=${v}: write header=Name:Value`);
        headers[v.slice(0, c).trim()] = v.slice(c + 1).trim();
        break;
      }
      default:
        throw new ConfigError(`--out prometheus-rw: unknown option ${JSON.stringify(k)}; use interval=, run=, instance=, tags=a+b or header=Name:Value (${example})`);
    }
  }
  if (!cfg.run) cfg.run = defaultRunId(env.runDir);
  for (const t of cfg.tags) {
    if (t === 'run' || t === 'instance') throw new ConfigError(`--out prometheus-rw tags=: "${t}" is always a label; drop it from tags=`);
    if (labelName(t).startsWith('__')) throw new ConfigError(`--out prometheus-rw tags=: "${t}" would be a reserved label name (starting with __)`);
  }
  return cfg;
}

interface SeriesState {
  metric: string;
  type: MetricType;
  /** exported tags as sorted [label, value] pairs (without __name__, run, instance) */
  labels: Array<[string, string]>;
  sum: number;
  count: number;
  trues: number;
  last: number;
  trend: TrendSink | undefined;
}

export class PrometheusRwOutput implements Output {
  private readonly info = new MetricInfoSource();
  private readonly series = new Map<string, SeriesState>();
  private readonly keyCache = new WeakMap<Tags, { key: string; labels: Array<[string, string]> }>();
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private lastTs = 0;
  private failing = false;
  private closed = false;
  /** samples arrived since the last snapshot */
  private dirty = false;
  /** pushes attempted / failed, for the closing notice and tests */
  readonly stats = { pushes: 0, failures: 0, lastError: '' };

  constructor(
    readonly config: PrometheusRwConfig,
    private readonly log: (line: string) => void,
  ) {
    this.timer = setInterval(() => void this.push(), config.intervalMs);
    this.timer.unref();
  }

  start(info: RunStartInfo): void {
    this.info.start(info);
  }

  onSample(s: Sample): void {
    let k = this.keyCache.get(s.tags);
    if (!k) {
      const labels: Array<[string, string]> = [];
      for (const t of this.config.tags) {
        const v = s.tags[t];
        const name = labelName(t);
        if (v !== undefined && v !== '' && !labels.some(([n]) => n === name)) labels.push([name, v]);
      }
      sortLabels(labels);
      k = { key: labels.map(([a, b]) => `${a}=${b}`).join('\x00'), labels };
      this.keyCache.set(s.tags, k);
    }
    const key = `${s.metric}\x01${k.key}`;
    let st = this.series.get(key);
    if (!st) {
      const type = this.info.of(s.metric).type;
      st = { metric: s.metric, type, labels: k.labels, sum: 0, count: 0, trues: 0, last: 0, trend: type === 'trend' ? new TrendSink() : undefined };
      this.series.set(key, st);
    }
    this.dirty = true;
    st.count++;
    if (st.trend) st.trend.add(s.value);
    else {
      st.sum += s.value;
      st.last = s.value;
      if (s.value !== 0) st.trues++;
    }
  }

  /** The series to send now (cumulative values), labels sorted. */
  snapshot(timestamp: number): WireSeries[] {
    const out: WireSeries[] = [];
    const base: Array<[string, string]> = [
      ['instance', this.config.instance],
      ['run', this.config.run],
    ];
    const add = (name: string, labels: Array<[string, string]>, value: number) => {
      if (!Number.isFinite(value)) return;
      out.push({ labels: sortLabels([['__name__', name], ...base, ...labels]), samples: [{ value, timestamp }] });
    };
    for (const st of this.series.values()) {
      const b = `llmperf_${st.metric}`;
      switch (st.type) {
        case 'counter':
          add(`${b}_total`, st.labels, st.sum);
          break;
        case 'gauge':
          add(b, st.labels, st.last);
          break;
        case 'rate':
          add(`${b}_rate`, st.labels, st.count ? st.trues / st.count : NaN);
          add(`${b}_true_total`, st.labels, st.trues);
          add(`${b}_samples_total`, st.labels, st.count);
          break;
        case 'trend': {
          const t = st.trend!;
          if (t.count === 0) break;
          add(`${b}_count`, st.labels, t.count);
          add(`${b}_sum`, st.labels, t.sum);
          add(`${b}_avg`, st.labels, t.avg);
          add(`${b}_min`, st.labels, t.min);
          add(`${b}_max`, st.labels, t.max);
          for (const p of [50, 90, 95, 99]) add(`${b}_p${p}`, st.labels, t.percentile(p));
          break;
        }
      }
    }
    return out;
  }

  /** Sends the current state once; never throws. Concurrent calls share the push in flight. */
  push(): Promise<void> {
    if (this.inflight) return this.inflight;
    if (!this.info.started || this.series.size === 0) return Promise.resolve();
    this.inflight = this.send().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async send(): Promise<void> {
    // strictly increasing timestamps: a duplicate timestamp with another value is rejected
    const ts = Math.max(Date.now(), this.lastTs + 1);
    this.lastTs = ts;
    this.dirty = false;
    this.stats.pushes++;
    try {
      const body = snappyCompress(encodeWriteRequest(this.snapshot(ts)));
      const res = await fetch(this.config.url, {
        method: 'POST',
        headers: {
          'Content-Encoding': 'snappy',
          'Content-Type': 'application/x-protobuf',
          'User-Agent': 'llmperf',
          'X-Prometheus-Remote-Write-Version': '0.1.0',
          ...this.config.headers,
        },
        body,
        signal: AbortSignal.timeout(Math.max(10_000, this.config.intervalMs)),
      });
      if (res.status < 200 || res.status >= 300) {
        const text = (await res.text().catch(() => '')).trim().slice(0, 300);
        throw new Error(`HTTP ${res.status}${text ? `: ${text}` : ''}`);
      }
      await res.body?.cancel().catch(() => {});
      if (this.failing) this.log(`prometheus-rw: pushing to ${this.config.url} works again`);
      this.failing = false;
    } catch (e) {
      this.dirty = true; // not delivered: the final flush must try again
      this.stats.failures++;
      const err = e as Error & { cause?: { code?: string; message?: string } };
      const msg = err.cause?.code ?? err.cause?.message ?? err.message;
      this.stats.lastError = msg;
      if (!this.failing) {
        this.failing = true;
        this.log(`WARN prometheus-rw: push to ${this.config.url} failed (${msg}); retrying every ${this.config.intervalMs / 1000}s, the next push carries everything (further failures are not logged)`);
      }
    }
  }

  /** pushes what arrived since the last push (periodic pushes go on regardless, keeping series fresh) */
  async flush(): Promise<void> {
    await this.inflight;
    if (this.dirty) await this.push();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.flush();
    if (this.stats.failures > 0) this.log(`WARN prometheus-rw: ${this.stats.failures} of ${this.stats.pushes} pushes to ${this.config.url} failed (last: ${this.stats.lastError})`);
    for (const st of this.series.values()) st.trend?.free();
  }
}

export const prometheusRwOutput: OutputFactory = (arg: string, ctx: OutputContext) => new PrometheusRwOutput(parsePrometheusRwArg(arg, { runDir: ctx.runDir }), ctx.log);
