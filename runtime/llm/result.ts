/**
 * Turns a raw exchange into the metric definitions (README "Metric definitions"):
 *  ttfb = headers received - t0;  ttft = first output-bearing event - t0;
 *  e2e  = last output-bearing event - t0 (non-streaming or no output: end of body - t0);
 *  tpot = (e2e - ttft) / (output_tokens - 1), absent when output_tokens <= 1;
 *  itl  = gaps between consecutive output-bearing events (one per chunk);
 *  itl_token = each gap spread over the tokens its chunk carried (k tokens -> k samples of gap/k).
 * Token counts: server usage, else the configured tokenizer, else an estimate (flagged as such).
 */
import type { RawExchange } from './client.ts';
import type { LlmResult, RequestRecord, TokenSource } from './types.ts';

export interface TokenCounter {
  count(text: string): number;
}

export interface Timings {
  ttfb: number | null;
  ttft: number | null;
  e2e: number | null;
  tpot: number | null;
  itl: number[];
  itlToken: number[];
}

export interface TokenCounts {
  inputTokens: number | null;
  outputTokens: number | null;
  inputSource: TokenSource | null;
  outputSource: TokenSource | null;
  /** usage and tokenizer disagree on the output count */
  mismatch: boolean;
}

/** `promptText` is called only when the server sent no prompt count (it joins every message). */
export function countTokens(x: RawExchange, promptText: () => string, tokenizer: TokenCounter | undefined): TokenCounts {
  let outputTokens: number | null = null;
  let outputSource: TokenSource | null = null;
  let inputTokens: number | null = null;
  let inputSource: TokenSource | null = null;
  let mismatch = false;
  const u = x.usage;
  const outText = x.text + x.reasoning;
  if (u && typeof u.completion_tokens === 'number') {
    outputTokens = u.completion_tokens;
    outputSource = 'usage';
    if (tokenizer && outText) mismatch = tokenizer.count(outText) !== outputTokens;
  } else if (x.outputTokens.length > 0) {
    outputTokens = x.outputTokens.reduce((a, b) => a + b, 0);
    outputSource = 'usage';
  } else if (tokenizer) {
    outputTokens = outText ? tokenizer.count(outText) : 0;
    outputSource = 'tokenizer';
  } else if (x.errorCode === null || x.outputTimes.length > 0) {
    outputTokens = x.outputTimes.length;
    outputSource = 'estimated';
  }
  if (u && typeof u.prompt_tokens === 'number') {
    inputTokens = u.prompt_tokens;
    inputSource = 'usage';
  } else if (tokenizer) {
    inputTokens = tokenizer.count(promptText());
    inputSource = 'tokenizer';
  } else {
    inputTokens = Math.ceil(promptText().length / 4);
    inputSource = 'estimated';
  }
  return { inputTokens, outputTokens, inputSource, outputSource, mismatch };
}

export function computeTimings(x: RawExchange, outputTokens: number | null, streamed: boolean): Timings {
  const t0 = x.t0;
  const times = x.outputTimes;
  const ttfb = x.tHeaders === null ? null : x.tHeaders - t0;
  let ttft: number | null = null;
  let e2e: number | null = null;
  if (streamed && times.length > 0) {
    ttft = times[0]! - t0;
    e2e = times[times.length - 1]! - t0;
  } else if (x.tEnd !== null && x.status > 0) {
    e2e = x.tEnd - t0;
  }
  const tpot = ttft !== null && e2e !== null && outputTokens !== null && outputTokens > 1 ? (e2e - ttft) / (outputTokens - 1) : null;
  const itl: number[] = [];
  for (let i = 1; i < times.length; i++) itl.push(times[i]! - times[i - 1]!);
  const itlToken: number[] = [];
  if (itl.length > 0) {
    const per = tokensPerChunk(x, outputTokens);
    for (let i = 1; i < times.length; i++) {
      const k = per[i] ?? 1;
      const g = itl[i - 1]! / (k || 1);
      for (let j = 0; j < k; j++) itlToken.push(g);
    }
  }
  return { ttfb, ttft, e2e, tpot, itl, itlToken };
}

/**
 * Tokens carried by each output event: the API's own per-event counts when given; 1 each when the
 * total equals the number of events (the usual case); else the total spread over the events in
 * proportion to their characters (largest remainder, so the parts add up to the total).
 */
export function tokensPerChunk(x: Pick<RawExchange, 'outputTimes' | 'outputChars' | 'outputTokens'>, total: number | null): number[] {
  const n = x.outputTimes.length;
  if (x.outputTokens.length === n) return x.outputTokens;
  if (total === null || total === n) return new Array<number>(n).fill(1);
  return spread(total, x.outputChars);
}

export function spread(total: number, weights: number[]): number[] {
  const n = weights.length;
  const sum = weights.reduce((a, b) => a + b, 0);
  if (n === 0) return [];
  const w = sum > 0 ? weights : new Array<number>(n).fill(1);
  const s = sum > 0 ? sum : n;
  const exact = w.map((v) => (total * v) / s);
  const out = exact.map(Math.floor);
  let rest = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((v, i) => [v - Math.floor(v), i] as const).sort((a, b) => b[0] - a[0]);
  for (let i = 0; rest > 0 && i < order.length; i++, rest--) out[order[i]![1]]!++;
  return out;
}

/** What the script's llm call resolves with: the record's figures and the texts. */
export function toResult(rec: RequestRecord, x: Pick<RawExchange, 'text' | 'reasoning' | 'usage'>): LlmResult {
  return {
    status: rec.status,
    ok: rec.ok,
    text: x.text,
    reasoning: x.reasoning,
    finishReason: rec.finishReason,
    usage: x.usage,
    inputTokens: rec.inputTokens,
    outputTokens: rec.outputTokens,
    ttfb: rec.ttfb,
    ttft: rec.ttft,
    tpot: rec.tpot,
    e2e: rec.e2e,
    itl: rec.itl,
    chunks: rec.chunks,
    error: rec.errorCode ? { code: rec.errorCode, message: rec.errorMessage ?? rec.errorCode } : null,
  };
}
