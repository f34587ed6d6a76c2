/**
 * The keys of evalscope's files per release (runtime/summary/evalscope.ts computes the figures):
 * the summary keys of 1.10 (evalscope >= 1.7) and 1.6, and the field order of 1.10's BenchmarkSummary.
 */
import type { EvalscopeFormat } from './evalscope.ts';

export const KEYS_110 = {
  time: 'Test Duration (s)',
  conc: 'Concurrency',
  rate: 'Request Rate (req/s)',
  total: 'Total Requests',
  ok: 'Success Requests',
  failed: 'Failed Requests',
  rps: 'Req Throughput (req/s)',
  latency: 'Avg Latency (s)',
  inTok: 'Avg Input Tokens',
  outTps: 'Output Throughput (tok/s)',
  totalTps: 'Total Throughput (tok/s)',
  ttft: 'Avg TTFT (ms)',
  tpot: 'Avg TPOT (ms)',
  itl: 'Avg ITL (ms)',
  outTok: 'Avg Output Tokens',
  decoded: 'Avg Decoded Tok/Iter',
  accept: 'Spec. Accept Rate',
} as const;

export const KEYS_16: typeof KEYS_110 = {
  time: 'Time taken for tests (s)',
  conc: 'Number of concurrency',
  rate: 'Request rate (req/s)',
  total: 'Total requests',
  ok: 'Succeed requests',
  failed: 'Failed requests',
  rps: 'Request throughput (req/s)',
  latency: 'Average latency (s)',
  inTok: 'Average input tokens per request',
  outTps: 'Output token throughput (tok/s)',
  totalTps: 'Total token throughput (tok/s)',
  ttft: 'Average time to first token (s)',
  tpot: 'Average time per output token (s)',
  itl: 'Average inter-token latency (s)',
  outTok: 'Average output tokens per request',
  decoded: 'Average decoded tokens per iter (tok/iter)',
  accept: 'Approx speculative decoding acceptance rate',
} as unknown as typeof KEYS_110;

/** The field order of evalscope 1.10's BenchmarkSummary (benchmark_summary.json). */
export const SUMMARY_ORDER_110 = [
  'Test Duration (s)',
  'Concurrency',
  'Request Rate (req/s)',
  'Total Requests',
  'Success Requests',
  'Failed Requests',
  'Stream Requests',
  'Non-Stream Requests',
  'Req Throughput (req/s)',
  'Avg Latency (s)',
  'Avg Input Tokens',
  'Output Throughput (tok/s)',
  'Total Throughput (tok/s)',
  'Avg TTFT (ms)',
  'Avg TPOT (ms)',
  'Avg ITL (ms)',
  'Avg Output Tokens',
  'Input Throughput (tok/s)',
  'Avg Turns/Request',
  'KV Cache Hit Rate (%)',
  'Avg First-Turn TTFT (ms)',
  'Avg Subsequent-Turn TTFT (ms)',
  'Avg Decoded Tok/Iter',
  'Spec. Accept Rate',
];

/** The fields of evalscope 1.10's BenchmarkSummary that are always written (0.0 when the message lacks them). */
export const SUMMARY_REQUIRED_110 = new Set(SUMMARY_ORDER_110.slice(0, SUMMARY_ORDER_110.indexOf('Input Throughput (tok/s)') + 1));

/** The summary keys of a format (for readers: tables, the sweep summary). */
export function summaryKeyNames(format: EvalscopeFormat): typeof KEYS_110 {
  return format === '1.10' ? KEYS_110 : KEYS_16;
}
