/**
 * Emits the built-in LLM metrics of one finished request from its record (definitions:
 * runtime/metrics/builtin.ts). The record is the one shape a request's figures take in the engine:
 * samples, the store's row and the script's result are all read from it.
 *
 * A response that did not really stream (record.streamCheck 'buffered', 'one_read' or
 * 'not_streamed': runtime/llm/result.ts checkStream) gives no llm_tpot, llm_itl, llm_itl_token or
 * llm_output_tps samples: its gaps describe a proxy's buffer, not the server's decoding (its record
 * has no TPOT and no ITL either: services.ts). It counts in llm_not_streamed instead.
 */
import { notStreamed } from '../llm/result.ts';
import type { RequestRecord } from '../llm/types.ts';
import type { Emitter } from './emitter.ts';

/** `itlToken`: the per-token ITL samples (llm_itl_token); `mismatch`: usage and tokenizer disagreed on the output count. */
export function emitRequestMetrics(em: Emitter, rec: RequestRecord, itlToken: readonly number[], mismatch: boolean, tags: Record<string, string>, now: number): void {
  const t = rec;
  em.sample('llm_reqs', 1, tags, now);
  em.sample('llm_req_failed', rec.ok ? 0 : 1, tags, now);
  em.sample('data_sent', rec.bytesSent, tags, now);
  em.sample('data_received', rec.bytesReceived, tags, now);
  if (!rec.ok) return;
  if (t.ttfb !== null) em.sample('llm_ttfb', t.ttfb, tags, now);
  if (t.ttft !== null) em.sample('llm_ttft', t.ttft, tags, now);
  if (t.e2e !== null) em.sample('llm_e2e', t.e2e, tags, now);
  const streamed = !notStreamed(rec.streamCheck);
  if (streamed) {
    if (t.tpot !== null) em.sample('llm_tpot', t.tpot, tags, now);
    em.samples('llm_itl', t.itl, tags, now);
    em.samples('llm_itl_token', itlToken, tags, now);
  } else em.sample('llm_not_streamed', 1, tags, now);
  if (rec.inputTokens !== null) em.sample('llm_input_tokens', rec.inputTokens, tags, now);
  if (rec.outputTokens !== null) em.sample('llm_output_tokens', rec.outputTokens, tags, now);
  if (streamed && rec.outputTokens !== null && rec.outputTokens > rec.choices && t.ttft !== null && t.e2e !== null && t.e2e > t.ttft) {
    em.sample('llm_output_tps', ((rec.outputTokens / rec.choices - 1) * 1000) / (t.e2e - t.ttft), tags, now);
  }
  if (rec.reasoningTokens !== null) {
    em.sample('llm_reasoning_tokens', rec.reasoningTokens, tags, now);
    if (rec.answerTokens !== null) em.sample('llm_answer_tokens', rec.answerTokens, tags, now);
    if (rec.ttftAnswer !== null) em.sample('llm_ttft_answer', rec.ttftAnswer, tags, now);
  }
  if (rec.batchSize !== null) {
    em.sample('llm_batch_size', rec.batchSize, tags, now);
    if (rec.inputTokens !== null && t.e2e !== null && t.e2e > 0) em.sample('llm_input_tps', (rec.inputTokens * 1000) / t.e2e, tags, now);
  }
  if (mismatch) em.sample('llm_token_mismatch', 1, tags, now);
  if (rec.good) em.sample('llm_goodput', 1, tags, now);
}
