/** Emits the built-in LLM metrics of one finished request (definitions: runtime/metrics/builtin.ts). */
import type { Timings, TokenCounts } from '../llm/result.ts';
import type { RequestRecord } from '../llm/types.ts';
import type { Emitter } from './emitter.ts';

export function emitRequestMetrics(em: Emitter, rec: RequestRecord, t: Timings, c: TokenCounts, tags: Record<string, string>, now: number): void {
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
  em.samples('llm_itl_token', t.itlToken, tags, now);
  if (c.inputTokens !== null) em.sample('llm_input_tokens', c.inputTokens, tags, now);
  if (c.outputTokens !== null) em.sample('llm_output_tokens', c.outputTokens, tags, now);
  if (c.outputTokens !== null && c.outputTokens > 1 && t.ttft !== null && t.e2e !== null && t.e2e > t.ttft) {
    em.sample('llm_output_tps', ((c.outputTokens - 1) * 1000) / (t.e2e - t.ttft), tags, now);
  }
  if (c.mismatch) em.sample('llm_token_mismatch', 1, tags, now);
  if (rec.good) em.sample('llm_goodput', 1, tags, now);
}
