/**
 * The end-of-test summary: what `handleSummary(data)` receives, what `--summary-export` writes and what
 * the programmatic `run()` resolves with. k6's shape (metrics, root_group, options, state) plus an
 * `llm` section with the headline figures.
 */

/** Values of one metric: trends have their summaryTrendStats plus count; counters count and rate;
 * rates rate, passes and fails; gauges value, min and max. */
export type MetricValues = Record<string, number>;

export interface SummaryMetric {
  type: string;
  /** "time" (ms), "data" (bytes) or "default". */
  contains: string;
  values: MetricValues;
  /** Each threshold expression on this metric and whether it passed. */
  thresholds?: Record<string, { ok: boolean }>;
}

export interface LlmHeadline {
  durationMs: number;
  requests: number;
  succeeded: number;
  failed: number;
  interrupted: number;
  /** succeeded / requests (0..1). */
  successRate: number;
  /** Successful requests per second. */
  requestThroughput: number;
  /** Output tokens per second. */
  outputTokenThroughput: number;
  /** Input tokens per second (what an embedding or rerank run is measured by). */
  inputTokenThroughput: number;
  /** Input + output tokens per second. */
  totalTokenThroughput: number;
  inputTokens: number;
  outputTokens: number;
  /** Requests meeting every options.slo bound, per second (null without SLOs). */
  goodput: number | null;
  /** The fraction of requests meeting every SLO (null without SLOs). */
  goodputShare: number | null;
  slo: Record<string, number> | null;
  /** Most requests in flight at once. */
  peakConcurrency: number;
  /** Failed requests per error code. */
  errors: Record<string, number>;
  /** The last message seen per error code. */
  errorSamples: Record<string, string>;
  /** The stats in `percentiles`, in order. */
  stats: string[];
  /**
   * llm_ttft, llm_tpot, llm_itl, llm_e2e, llm_input_tokens, llm_output_tokens, llm_output_tps (and,
   * when responses reasoned, llm_ttft_answer, llm_reasoning_tokens, llm_answer_tokens; for batch
   * requests llm_batch_size, llm_input_tps) -> stat -> value (those with samples). Token stats are
   * whole numbers.
   */
  percentiles: Record<string, Record<string, number>>;
  /** How the token counts were made, in short: "output: usage; input: estimated" ("" without requests). */
  tokenCountSources: string;
  /** How the token counts of successful requests were made, per source; a hint when any was estimated. */
  tokenSources?: TokenProvenance;
  /** Requests whose responses reasoned (reasoning_content): their reasoning and answer tokens. */
  reasoning?: ReasoningSummary;
}

/** Successful requests by where a count came from. */
export interface TokenSourceCounts {
  usage: number;
  tokenizer: number;
  estimated: number;
}

export interface TokenProvenance {
  output: TokenSourceCounts;
  input: TokenSourceCounts;
  /** any count was estimated (figures built on tokens are approximate) */
  estimated: boolean;
  /** what to do about it (pass --tokenizer), when estimated */
  hint?: string;
}

export interface ReasoningSummary {
  /** successful requests whose response reasoned */
  requests: number;
  reasoningTokens: number;
  answerTokens: number;
  /** where the reasoning/answer split came from, per request */
  sources: TokenSourceCounts;
  /** the same in short ("usage", "tokenizer", "estimated" or a mix) */
  tokenCountSource: string;
}

/**
 * summary.json `streamHealth`: whether the server's (or a proxy's) streams really streamed, over
 * successful requests that asked for or got a stream. Read it before trusting TPOT and ITL.
 */
export interface StreamHealthSummary {
  requests: number;
  /** really streamed */
  streamed: number;
  /** events released in bursts (a buffering proxy) */
  buffered: number;
  /** every event in one read */
  oneRead: number;
  /** a whole JSON body answered a stream request */
  notStreamed: number;
  /** buffered + oneRead + notStreamed: their TPOT/ITL are left out of the percentiles (llm_not_streamed) */
  excluded: number;
  /** SSE received under another content type, by that type ("none": no content type) */
  nonSseContentTypes: Record<string, number>;
  /** streams that ended cleanly without [DONE] after every finish_reason (counted as successes) */
  withoutDone: number;
  /** any WARN finding: some figures describe the proxy, not the server */
  degraded: boolean;
  /** one line per condition seen, "WARN …" or "INFO …", with what to do */
  findings: string[];
}

export interface SummaryCheck {
  name: string;
  path: string;
  id: string;
  passes: number;
  fails: number;
}

/** summary.json `client`: llmperf's own health over the run. */
export interface ClientHealthSummary {
  /** I/O threads used (0: the main thread sent and timed the requests) */
  ioThreads: number;
  /** seconds (with requests open) in which the timing thread's event-loop delay p99 exceeded 5 ms */
  timestamps: { late: boolean; lateSeconds: number; activeSeconds: number; worstLagP99Ms: number; worstLagMaxMs: number };
  /** seconds in which an I/O thread was busier than 90% of a core */
  ioBusy: { busy: boolean; busySeconds: number; maxUtilization: number };
  /** the arrival schedule (open-loop executors): llm_schedule_lag p99 over 5 ms or arrivals dropped */
  schedule: { behind: boolean; checksBehind: number; worstLagP99Ms: number; dropped: number };
}

export interface SummaryData {
  schemaVersion: number;
  llmperf: { version: string; node: string };
  state: {
    isStdOutTTY: boolean;
    isStdErrTTY: boolean;
    testRunDurationMs: number;
    /** "completed", "interrupted", "threshold-abort" or "script-abort". */
    stopReason: string;
    abortMessage?: string;
    /** ISO 8601. */
    startedAt: string;
  };
  target: { url: string; embeddedMock: boolean; model: string; api: string };
  /** The script's options (secrets redacted). */
  options: Record<string, unknown>;
  /** One line per scenario, e.g. "20 iterations shared among 4 VUs (maxDuration: 30s, gracefulStop: 30s)". */
  scenarios: Array<{ name: string; executor: string; description: string }>;
  /** By metric name and sub-metric selector. */
  metrics: Record<string, SummaryMetric>;
  root_group: { name: string; path: string; id: string; groups: unknown[]; checks: SummaryCheck[] };
  /**
   * Every threshold with its final value. `implicit`: llmperf's own `llm_req_failed: rate<1` (a run in
   * which every request failed fails), listed only when it failed.
   */
  thresholds: Array<{ metric: string; source: string; ok: boolean; observed: number; aggregation: string; implicit?: boolean }>;
  llm: LlmHeadline;
  /** Exceptions thrown by iterations, by source position: the first message, up to 3 distinct examples, and how many. */
  scriptErrors: Array<{ position: string; message: string; examples?: string[]; count: number }>;
  iterations: { completed: number; interrupted: number; dropped: number };
  vusMax: number;
  /**
   * Whether the client was the limit (runtime/engine/client-health.ts): timestamps taken late by
   * the thread that times responses, an I/O thread near its limit, an arrival schedule that fell
   * behind. Read it before trusting the latency tails.
   */
  client?: ClientHealthSummary;
  /** Whether the server's streams really streamed (buffering proxies, whole bodies, content types). */
  streamHealth?: StreamHealthSummary;
}
