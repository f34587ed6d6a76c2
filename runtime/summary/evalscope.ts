/**
 * evalscope perf's figures, computed exactly from per-request values (never from histograms), in the
 * layout of one evalscope release: the running message (logged every --log-every-n-query requests and
 * sent to W&B as history), benchmark_summary.json and benchmark_percentile.json. Pure: no I/O.
 *
 * What each request contributes (llmperf's per-request values, evalscope's aggregation):
 *  - latency = llm_e2e; start = t0; completion = t0 + e2e (successful requests only, as in evalscope,
 *    where a failed request has completed_time 0)
 *  - TTFT = llm_ttft for a streamed response; the whole latency for one that was not (evalscope's rule)
 *  - TPOT = (latency - TTFT) / (output tokens - 1) when output tokens > 1, else 0 (so 0 without streaming)
 *  - ITL  = the gaps between output-bearing chunks (none without streaming)
 *  - decoded tokens per iteration L = (output tokens - 1) / (chunks - 1), counted when L > 1
 *  - a response that did not really stream (RequestRecord.streamCheck 'buffered', 'one_read',
 *    'not_streamed') gives no TPOT and no ITL: its gaps are a proxy's, not the server's (llmperf's
 *    rule, which evalscope lacks; the perf tables say how many were left out)
 *  - reasoning (llmperf's extra rows, not in evalscope's files): time to the first answer token,
 *    reasoning and answer tokens, over the responses that reasoned
 *
 * Aggregation (evalscope's MetricsAccumulator / create_message / get_percentile_results):
 *  - "Test Duration" / "Time taken for tests": earliest start to latest completion
 *  - throughputs = successful requests (or their tokens) / that duration; -1 when it is 0
 *  - averages over successful requests; since v1.8 TTFT and TPOT average over streamed ones when any
 *  - percentile p of n sorted values: sorted[floor(n * p / 100)] (p >= 100: the largest), rounded
 *
 * Two layouts: '1.10' (evalscope >= 1.7, current release 1.10: ms for TTFT/TPOT/ITL, min/1/5/.../99/max)
 * and '1.6' (evalscope <= 1.6: seconds, 10/25/50/66/75/80/90/95/98/99). See docs/perf.md.
 *
 * Embedding and rerank runs (`batch`) have evalscope's other figures: the message keeps the common
 * keys and adds "Input Throughput (tok/s)" = input tokens / the sum of the latencies (a per-request
 * rate, as evalscope computes it); the percentiles are Latency (s), Input tokens and Input (tok/s).
 * Multi-turn runs add (1.10) "Avg Turns/Request" (the mean turn number of a request, 1-based),
 * "KV Cache Hit Rate (%)" (cached / prompt tokens, turn 1 counting 0 cached: the server's
 * cached_tokens when it reports them, else the previous turn's prompt + completion tokens), and the
 * average TTFT of first turns and of the later ones.
 */
import { pyRound } from './pyformat.ts';
import { KEYS_110, KEYS_16, SUMMARY_ORDER_110, SUMMARY_REQUIRED_110 } from './evalscope-keys.ts';
export { summaryKeyNames } from './evalscope-keys.ts';
import { notStreamed } from '../llm/result.ts';
import type { RequestRecord } from '../../types/run.d.ts';

export type EvalscopeFormat = '1.10' | '1.6';
export const EVALSCOPE_FORMATS: readonly EvalscopeFormat[] = ['1.10', '1.6'];

/** A growable array of doubles (ITL samples can number millions). */
class Values {
  private buf = new Float64Array(256);
  length = 0;
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  sorted(): Float64Array {
    return this.buf.slice(0, this.length).sort();
  }
  at(i: number): number {
    return this.buf[i]!;
  }
  map(f: (v: number) => number): Values {
    const out = new Values();
    for (let i = 0; i < this.length; i++) out.push(f(this.buf[i]!));
    return out;
  }
}

/** evalscope's calculate_percentiles: sorted[int(n * p / 100)], the largest for p >= 100, NaN when empty. */
export function evalscopePercentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (p >= 100) return sorted[n - 1]!;
  const i = Math.floor((n * p) / 100);
  return i < n ? sorted[i]! : NaN;
}

export interface RunLabels {
  /** --parallel (-1 in open-loop mode) */
  concurrency: number;
  /** --rate (-1: none) */
  rate: number;
}

/** One request as evalscope counts it. */
export interface EvalscopeRequest {
  ok: boolean;
  stream: boolean;
  /** seconds since any fixed origin */
  start: number;
  latency: number;
  ttft: number;
  inputTokens: number;
  outputTokens: number;
  /** seconds */
  itl: readonly number[];
  chunks: number;
  /** multi-turn: the request's turn in its conversation (1-based) and the prompt tokens counted as cached */
  turn?: number;
  cachedTokens?: number | null;
  /** a stream asked for that did not really stream: no TPOT, no ITL */
  notStreamed?: boolean;
  /** reasoning responses: time to the first answer token (s), reasoning and answer tokens */
  ttftAnswer?: number | null;
  reasoningTokens?: number | null;
  answerTokens?: number | null;
}

/**
 * A request record as evalscope would have counted it. `streamRequested`: the run's stream flag,
 * which classifies failed requests (a successful one is streamed when it has a TTFT).
 */
export function fromRecord(r: RequestRecord, streamRequested: boolean): EvalscopeRequest {
  const latency = (r.e2e ?? 0) / 1000;
  const stream = r.ok ? r.ttft !== null : streamRequested;
  const unstreamed = notStreamed(r.streamCheck);
  return {
    ok: r.ok,
    stream,
    start: r.start / 1000,
    latency,
    ttft: r.ttft !== null ? r.ttft / 1000 : latency,
    inputTokens: r.inputTokens ?? 0,
    outputTokens: r.outputTokens ?? 0,
    // to the µs, as requests.sqlite stores them, so the files can be recomputed from it exactly
    itl: r.ttft !== null && !unstreamed ? r.itl.map((v) => Math.round(v * 1000) / 1000 / 1000) : [],
    chunks: r.chunks,
    ...(unstreamed ? { notStreamed: true } : {}),
    ...(r.reasoningTokens !== null ? { ttftAnswer: r.ttftAnswer === null ? null : r.ttftAnswer / 1000, reasoningTokens: r.reasoningTokens, answerTokens: r.answerTokens } : {}),
  };
}

/** evalscope's MetricsAccumulator: totals updated per request; percentiles from the values it keeps. */
export class EvalscopeAccumulator {
  nTotal = 0;
  nSuccess = 0;
  nStreamTotal = 0;
  nNonStreamTotal = 0;
  nStreamSuccess = 0;
  private wallStart: number | null = null;
  private wallEnd: number | null = null;
  private totalLatency = 0;
  private totalTtft = 0;
  private totalTtftStream = 0;
  private totalTpot = 0;
  private totalTpotStream = 0;
  /** successful requests with a TPOT (all but the ones that did not really stream) */
  private nTpot = 0;
  private nTpotStream = 0;
  /** successful requests left out of TPOT/ITL because they did not really stream */
  nNotStreamed = 0;
  // reasoning responses (llmperf's extra rows)
  private readonly ttftAnswer = new Values();
  private readonly reasoningTokens = new Values();
  private readonly answerTokens = new Values();
  private totalIn = 0;
  private totalOut = 0;
  private itlSum = 0;
  private totalDecoded = 0;
  private nDecoded = 0;
  // per successful request, for the percentiles
  private readonly latency = new Values();
  private readonly ttft = new Values();
  private readonly tpot = new Values();
  private readonly ttftStream = new Values();
  private readonly tpotStream = new Values();
  private readonly inTok = new Values();
  private readonly outTok = new Values();
  private readonly itl = new Values();
  // multi-turn
  private totalTurns = 0;
  private totalCached = 0;
  private totalPromptForCache = 0;
  private nCache = 0;
  private firstTtft = 0;
  private nFirst = 0;
  private laterTtft = 0;
  private nLater = 0;
  /** embedding / rerank: evalscope's layout for batch APIs */
  readonly batch: boolean;

  constructor(readonly labels: RunLabels, opts: { batch?: boolean } = {}) {
    this.batch = opts.batch ?? false;
  }

  add(q: EvalscopeRequest): void {
    this.nTotal++;
    if (q.stream) this.nStreamTotal++;
    else this.nNonStreamTotal++;
    const end = q.ok ? q.start + q.latency : 0;
    this.wallStart = this.wallStart === null ? q.start : Math.min(this.wallStart, q.start);
    this.wallEnd = this.wallEnd === null ? end : Math.max(this.wallEnd, end);
    if (!q.ok) return;
    this.nSuccess++;
    const tpot = q.outputTokens > 1 ? (q.latency - q.ttft) / (q.outputTokens - 1) : 0;
    const hasTpot = !q.notStreamed;
    if (!hasTpot) this.nNotStreamed++;
    if (q.reasoningTokens !== undefined && q.reasoningTokens !== null) {
      this.reasoningTokens.push(q.reasoningTokens);
      this.answerTokens.push(q.answerTokens ?? 0);
      if (q.ttftAnswer !== undefined && q.ttftAnswer !== null) this.ttftAnswer.push(q.ttftAnswer);
    }
    this.totalLatency += q.latency;
    this.totalTtft += q.ttft;
    if (hasTpot) {
      this.totalTpot += tpot;
      this.nTpot++;
    }
    this.totalIn += q.inputTokens;
    this.totalOut += q.outputTokens;
    for (const g of q.itl) {
      this.itlSum += g;
      this.itl.push(g);
    }
    if (q.stream) {
      this.nStreamSuccess++;
      this.totalTtftStream += q.ttft;
      this.ttftStream.push(q.ttft);
      if (hasTpot) {
        this.totalTpotStream += tpot;
        this.nTpotStream++;
        this.tpotStream.push(tpot);
      }
    }
    if (q.turn !== undefined && q.turn > 0) {
      this.totalTurns += q.turn;
      if (q.turn === 1) {
        this.firstTtft += q.ttft;
        this.nFirst++;
      } else {
        this.laterTtft += q.ttft;
        this.nLater++;
      }
    }
    if (q.cachedTokens !== undefined && q.cachedTokens !== null && q.inputTokens) {
      this.totalCached += q.cachedTokens;
      this.totalPromptForCache += q.inputTokens;
      this.nCache++;
    }
    const decoded = q.outputTokens > 1 && q.chunks > 1 ? (q.outputTokens - 1) / (q.chunks - 1) : 0;
    if (decoded > 1) {
      this.totalDecoded += decoded;
      this.nDecoded++;
    }
    this.latency.push(q.latency);
    this.ttft.push(q.ttft);
    if (hasTpot) this.tpot.push(tpot);
    this.inTok.push(q.inputTokens);
    this.outTok.push(q.outputTokens);
  }

  /** Earliest start to latest completion, seconds (1 before any request, 0 when none succeeded). */
  get wallTime(): number {
    if (this.wallStart === null || this.wallEnd === null) return 1;
    return Math.max(this.wallEnd - this.wallStart, 0);
  }

  /** evalscope's create_message(): the running summary (also the W&B history row). */
  message(format: EvalscopeFormat): Record<string, number> {
    const n = this.nSuccess;
    const t = this.wallTime;
    const div = (a: number, b: number) => (b ? a / b : -1);
    const v110 = format === '1.10';
    const useStream = v110 && this.nStreamSuccess > 0;
    const avgTtft = useStream ? div(this.totalTtftStream, this.nStreamSuccess) : div(this.totalTtft, n);
    const avgTpot = useStream ? div(this.totalTpotStream, this.nTpotStream) : div(this.totalTpot, this.nTpot);
    const avgItl = this.itl.length ? this.itlSum / this.itl.length : 0;
    const r4 = (x: number) => pyRound(x, 4);
    const ms = (x: number) => pyRound(x * 1000, 2);
    const m: Record<string, number> = {};
    const k = v110 ? KEYS_110 : KEYS_16;
    m[k.time] = r4(t);
    m[k.conc] = this.labels.concurrency;
    m[k.rate] = this.labels.rate;
    m[k.total] = this.nTotal;
    m[k.ok] = n;
    m[k.failed] = this.nTotal - n;
    if (v110) {
      m['Stream Requests'] = this.nStreamTotal;
      m['Non-Stream Requests'] = this.nNonStreamTotal;
    }
    m[k.rps] = r4(div(n, t));
    m[k.latency] = r4(div(this.totalLatency, n));
    m[k.inTok] = r4(div(this.totalIn, n));
    if (this.batch) {
      // evalscope: input tokens over the sum of the requests' latencies (their first chunk is their end)
      m['Input Throughput (tok/s)'] = r4(div(this.totalIn, this.totalTtft));
      return m;
    }
    m[k.outTps] = r4(div(this.totalOut, t));
    m[k.totalTps] = r4(div(this.totalIn + this.totalOut, t));
    m[k.ttft] = v110 ? ms(avgTtft) : r4(avgTtft);
    m[k.tpot] = v110 ? ms(avgTpot) : r4(avgTpot);
    m[k.itl] = v110 ? ms(avgItl) : r4(avgItl);
    m[k.outTok] = r4(div(this.totalOut, n));
    if (v110 && this.totalTurns > 0) m['Avg Turns/Request'] = r4(div(this.totalTurns, n));
    if (v110 && this.nCache > 0) m['KV Cache Hit Rate (%)'] = r4(div(this.totalCached * 100, this.totalPromptForCache));
    if (v110 && this.nFirst > 0) m['Avg First-Turn TTFT (ms)'] = ms(this.firstTtft / this.nFirst);
    if (v110 && this.nLater > 0) m['Avg Subsequent-Turn TTFT (ms)'] = ms(this.laterTtft / this.nLater);
    if (this.nDecoded > 0) {
      const L = this.totalDecoded / this.nDecoded;
      m[k.decoded] = r4(L);
      m[k.accept] = r4(Math.max(0, Math.min(1, 1 - 1 / L)));
    }
    return m;
  }

  /**
   * llmperf's extra rows for the printed tables (never in evalscope's files): the averages and, by
   * evalscope's percentile rule, the percentiles of the time to the first answer token (ms) and the
   * reasoning and answer tokens, over the responses that reasoned; empty when none did.
   */
  reasoningFigures(format: EvalscopeFormat): { averages: Record<string, number>; percentiles: Array<[string, number[]]> } {
    if (this.reasoningTokens.length === 0) return { averages: {}, percentiles: [] };
    const ms = format === '1.10';
    const avg = (v: Values) => {
      let t = 0;
      for (let i = 0; i < v.length; i++) t += v.at(i);
      return v.length ? t / v.length : NaN;
    };
    const ttftName = ms ? 'TTFT answer (ms)' : 'TTFT answer (s)';
    const ttft = ms ? this.ttftAnswer.map((x) => x * 1000) : this.ttftAnswer;
    const nd = ms ? 2 : 4;
    const points = ms ? [0, 1, 5, 10, 25, 50, 75, 90, 95, 99, 100] : [10, 25, 50, 66, 75, 80, 90, 95, 98, 99];
    const pct = (v: Values) => {
      const sorted = v.sorted();
      return points.map((p) => pyRound(evalscopePercentile(sorted, p), nd));
    };
    return {
      averages: {
        [ms ? 'Avg TTFT Answer (ms)' : 'Average time to first answer token (s)']: pyRound(avg(ttft), nd),
        [ms ? 'Avg Reasoning Tokens' : 'Average reasoning tokens per request']: pyRound(avg(this.reasoningTokens), 4),
        [ms ? 'Avg Answer Tokens' : 'Average answer tokens per request']: pyRound(avg(this.answerTokens), 4),
      },
      percentiles: [
        [ttftName, pct(ttft)],
        ['Reasoning tokens', pct(this.reasoningTokens)],
        ['Answer tokens', pct(this.answerTokens)],
      ],
    };
  }

  /** benchmark_summary.json: the message, as evalscope's BenchmarkSummary writes it. */
  summary(format: EvalscopeFormat): Record<string, number> {
    const m = this.message(format);
    if (format === '1.6') return m;
    // v1.7+: the pydantic model's field order, with its defaults for fields the message lacks
    const out: Record<string, number> = {};
    for (const key of SUMMARY_ORDER_110) {
      if (key in m) out[key] = m[key]!;
      else if (SUMMARY_REQUIRED_110.has(key)) out[key] = 0.0; // the model's default for a field the message lacks
    }
    return out;
  }

  /** benchmark_percentile.json: one object per row. */
  percentiles(format: EvalscopeFormat): Array<Record<string, string | number>> {
    const v110 = format === '1.10';
    const nd = v110 ? 2 : 4;
    const points = v110 ? [0, 1, 5, 10, 25, 50, 75, 90, 95, 99, 100] : [10, 25, 50, 66, 75, 80, 90, 95, 98, 99];
    const labels = points.map((p) => (v110 && p === 0 ? 'min' : v110 && p === 100 ? 'max' : `${p}%`));
    // v1.8+: TTFT, TPOT and decode speed over streamed requests when the run had any
    const streamed = v110 && this.ttftStream.length > 0;
    const ttft = streamed ? this.ttftStream : this.ttft;
    const tpot = streamed ? this.tpotStream : this.tpot;
    const perReq = (f: (lat: number, i: number) => number): Values => {
      const out = new Values();
      for (let i = 0; i < this.latency.length; i++) out.push(f(this.latency.at(i), i));
      return out;
    };
    if (this.batch) {
      // evalscope's percentiles for embedding / rerank: latency, input tokens, input tokens/s
      const inTps = perReq((lat, i) => (lat > 0 ? this.inTok.at(i) / lat : NaN));
      const cols: Array<[string, Float64Array]> = [['Latency (s)', this.latency.sorted()], ['Input tokens', this.inTok.sorted()], ['Input (tok/s)', inTps.sorted()]];
      return points.map((p, row) => {
        const r: Record<string, string | number> = { Percentiles: labels[row]! };
        for (const [name, sorted] of cols) r[name] = pyRound(evalscopePercentile(sorted, p), nd);
        return r;
      });
    }
    const outTps = perReq((lat, i) => (lat > 0 ? this.outTok.at(i) / lat : NaN));
    const totTps = perReq((lat, i) => (lat > 0 ? (this.inTok.at(i) + this.outTok.at(i)) / lat : NaN));
    const columns: Array<[string, Values]> = v110
      ? [
          ['Latency (s)', this.latency],
          ['TTFT (ms)', ttft.map((x) => x * 1000)],
          ['ITL (ms)', this.itl.map((x) => x * 1000)],
          ['TPOT (ms)', tpot.map((x) => x * 1000)],
          ['Input tokens', this.inTok],
          ['Output tokens', this.outTok],
          ['Output (tok/s)', outTps],
          ['Total (tok/s)', totTps],
          ['Decode (tok/s)', tpot.map((x) => (x > 0 ? 1 / x : NaN))],
        ]
      : [
          ['TTFT (s)', this.ttft],
          ['ITL (s)', this.itl],
          ['TPOT (s)', this.tpot],
          ['Latency (s)', this.latency],
          ['Input tokens', this.inTok],
          ['Output tokens', this.outTok],
          ['Output (tok/s)', outTps],
          ['Total (tok/s)', totTps],
        ];
    // TypedArray sort puts NaN last (evalscope's rows only have NaN tok/s for 0-latency requests)
    const sortedCols = columns.map(([name, vals]) => [name, vals.sorted()] as const);
    return points.map((p, row) => {
      const r: Record<string, string | number> = { Percentiles: labels[row]! };
      for (const [name, sorted] of sortedCols) r[name] = pyRound(evalscopePercentile(sorted, p), nd);
      return r;
    });
  }

}
