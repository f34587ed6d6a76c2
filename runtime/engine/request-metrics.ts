/**
 * Emits the built-in LLM metrics of one finished request from its record (definitions:
 * runtime/metrics/builtin.ts). The record is the one shape a request's figures take in the engine:
 * samples, the store's row and the script's result are all read from it.
 */
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
  if (t.tpot !== null) em.sample('llm_tpot', t.tpot, tags, now);
  em.samples('llm_itl', t.itl, tags, now);
  em.samples('llm_itl_token', itlToken, tags, now);
  if (rec.inputTokens !== null) em.sample('llm_input_tokens', rec.inputTokens, tags, now);
  if (rec.outputTokens !== null) em.sample('llm_output_tokens', rec.outputTokens, tags, now);
  if (rec.outputTokens !== null && rec.outputTokens > 1 && t.ttft !== null && t.e2e !== null && t.e2e > t.ttft) {
    em.sample('llm_output_tps', ((rec.outputTokens - 1) * 1000) / (t.e2e - t.ttft), tags, now);
  }
  if (rec.batchSize !== null) {
    em.sample('llm_batch_size', rec.batchSize, tags, now);
    if (rec.inputTokens !== null && t.e2e !== null && t.e2e > 0) em.sample('llm_input_tps', (rec.inputTokens * 1000) / t.e2e, tags, now);
  }
  if (mismatch) em.sample('llm_token_mismatch', 1, tags, now);
  if (rec.good) em.sample('llm_goodput', 1, tags, now);
}
