/**
 * Built-in metrics. Definitions of the LLM timings (see README "Metric definitions"):
 * t0 = just before the request is written.
 *  llm_ttfb   first response byte - t0
 *  llm_ttft   first output-bearing SSE event (content, reasoning or token) - t0; role-only/usage-only chunks don't count
 *  llm_e2e    last output-bearing event (non-streaming: end of body) - t0
 *  llm_tpot   (e2e - ttft) / (output_tokens - 1); absent when output_tokens <= 1
 *  llm_itl    each gap between consecutive output-bearing events (per chunk)
 *  llm_itl_token  a chunk's gap spread over the tokens it carried (k tokens -> k samples of gap/k)
 *  llm_output_tps (output_tokens - 1) / (e2e - ttft) in tokens/s, per request (decode speed, = 1000 / tpot)
 *  llm_schedule_lag actual start - planned start (arrival-rate executors): the client's own delay
 *    (time an arrival spent queued for a free VU, with queue: true, is not counted)
 *  llm_queue_wait time an arrival waited for a free VU (arrival-rate executors with queue: true)
 *  llm_goodput  counter of successful requests meeting every options.slo bound; its rate is goodput/s
 *  llm_batch_size inputs a batch request carried (embedding inputs, rerank documents)
 *  llm_input_tps  input_tokens / e2e in tokens/s, per batch request (embeddings, rerank: nothing is generated)
 *  llm_ttft_answer  first event carrying answer text (not reasoning) - t0, for responses that reasoned
 *  llm_reasoning_tokens, llm_answer_tokens  a reasoning response's reasoning and answer tokens
 *  llm_not_streamed  counter of successful requests that asked for a stream and did not really get
 *    one (a whole body, every event in one read, events in bursts): they give no llm_tpot, llm_itl,
 *    llm_itl_token or llm_output_tps samples (runtime/engine/request-metrics.ts)
 * Token trends hold whole numbers: their percentiles are reported as integers (INTEGER_METRICS).
 */
import type { MetricType, ValueKind } from './types.ts';

export const BUILTIN_METRICS = {
  llm_reqs: { type: 'counter', kind: 'default' },
  llm_req_failed: { type: 'rate', kind: 'default' },
  llm_ttfb: { type: 'trend', kind: 'time' },
  llm_ttft: { type: 'trend', kind: 'time' },
  llm_tpot: { type: 'trend', kind: 'time' },
  llm_itl: { type: 'trend', kind: 'time' },
  llm_itl_token: { type: 'trend', kind: 'time' },
  llm_e2e: { type: 'trend', kind: 'time' },
  llm_input_tokens: { type: 'trend', kind: 'default' },
  llm_output_tokens: { type: 'trend', kind: 'default' },
  llm_output_tps: { type: 'trend', kind: 'default' },
  llm_batch_size: { type: 'trend', kind: 'default' },
  llm_input_tps: { type: 'trend', kind: 'default' },
  llm_ttft_answer: { type: 'trend', kind: 'time' },
  llm_reasoning_tokens: { type: 'trend', kind: 'default' },
  llm_answer_tokens: { type: 'trend', kind: 'default' },
  llm_schedule_lag: { type: 'trend', kind: 'time' },
  llm_queue_wait: { type: 'trend', kind: 'time' },
  llm_goodput: { type: 'counter', kind: 'default' },
  llm_reqs_interrupted: { type: 'counter', kind: 'default' },
  llm_token_mismatch: { type: 'counter', kind: 'default' },
  llm_not_streamed: { type: 'counter', kind: 'default' },
  iterations: { type: 'counter', kind: 'default' },
  iteration_duration: { type: 'trend', kind: 'time' },
  dropped_iterations: { type: 'counter', kind: 'default' },
  vus: { type: 'gauge', kind: 'default' },
  vus_max: { type: 'gauge', kind: 'default' },
  checks: { type: 'rate', kind: 'default' },
  data_sent: { type: 'counter', kind: 'data' },
  data_received: { type: 'counter', kind: 'data' },
} as const satisfies Record<string, { type: MetricType; kind: ValueKind }>;

export type BuiltinMetricName = keyof typeof BUILTIN_METRICS;

/** Trends of whole numbers (token counts): HDR percentiles are rounded down to integers for display. */
export const INTEGER_METRICS: ReadonlySet<string> = new Set(['llm_input_tokens', 'llm_output_tokens', 'llm_reasoning_tokens', 'llm_answer_tokens']);
