/**
 * Turns a raw exchange into the metric definitions (README "Metric definitions"):
 *  ttfb = headers received - t0;  ttft = first output-bearing event - t0;
 *  ttft_answer = first event carrying answer text (not reasoning) - t0;
 *  e2e  = last output-bearing event - t0 (a body that is not an event stream, or no output: end of body - t0);
 *  tpot = (e2e - ttft) / (output_tokens / choices - 1), absent when that is <= 1 token per choice;
 *  itl  = gaps between consecutive output-bearing events of the same choice (one per chunk);
 *  itl_token = each gap spread over the tokens its chunk carried (k tokens -> k samples of gap/k).
 * Token counts: server usage, else the configured tokenizer, else an estimate (flagged as such):
 * ESTIMATE_RULE below, the same for streamed and whole answers.
 * Stream check (checkStream): whether a response really streamed; one that did not (a whole body,
 * every event in one read, events in bursts) keeps its record but gives no TPOT/ITL samples.
 */
import type { RawExchange } from './client.ts';
import type { LlmResult, RequestRecord, StreamCheck, TokenSource } from './types.ts';

export interface TokenCounter {
  count(text: string): number;
}

export interface Timings {
  ttfb: number | null;
  ttft: number | null;
  ttftAnswer: number | null;
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

export interface ReasoningCounts {
  reasoningTokens: number | null;
  answerTokens: number | null;
  source: TokenSource | null;
}

/**
 * The estimate when neither usage nor a tokenizer counts: the larger of the events that carried
 * output and ceil(characters / 4) (the usual 4-characters-per-token rule), so a chunk of several
 * tokens is not counted as one and a whole answer is never 1 token. Prompts: ceil(characters / 4).
 */
export const ESTIMATE_RULE = 'max(output events, ceil(characters / 4)); prompts ceil(characters / 4)';

export function estimateTokens(events: number, chars: number): number {
  return Math.max(events, Math.ceil(chars / 4));
}

/** Every choice's answer text, joined (the count covers them all). */
function answerText(x: Pick<RawExchange, 'text' | 'choiceTexts'>): string {
  return x.choiceTexts ? x.choiceTexts.join('') : x.text;
}
function reasoningText(x: Pick<RawExchange, 'reasoning' | 'choiceReasoning'>): string {
  return x.choiceReasoning ? x.choiceReasoning.join('') : x.reasoning;
}

/** The choices a response had (1 unless n > 1). */
export function choiceCount(x: Pick<RawExchange, 'choiceTexts'>): number {
  return x.choiceTexts ? Math.max(1, x.choiceTexts.length) : 1;
}

/** `promptText` is called only when the server sent no prompt count (it joins every message). */
export function countTokens(x: RawExchange, promptText: () => string, tokenizer: TokenCounter | undefined): TokenCounts {
  let outputTokens: number | null = null;
  let outputSource: TokenSource | null = null;
  let inputTokens: number | null = null;
  let inputSource: TokenSource | null = null;
  let mismatch = false;
  const u = x.usage;
  const answer = answerText(x);
  const reasoning = reasoningText(x);
  if (u && typeof u.completion_tokens === 'number') {
    outputTokens = u.completion_tokens;
    outputSource = 'usage';
    if (tokenizer && (answer || reasoning)) mismatch = tokenizer.count(answer) + (reasoning ? tokenizer.count(reasoning) : 0) !== outputTokens;
  } else if (x.outputTokens.length > 0) {
    outputTokens = x.outputTokens.reduce((a, b) => a + b, 0);
    outputSource = 'usage';
  } else if (tokenizer) {
    outputTokens = (answer ? tokenizer.count(answer) : 0) + (reasoning ? tokenizer.count(reasoning) : 0);
    outputSource = 'tokenizer';
  } else if (x.errorCode === null || x.outputTimes.length > 0) {
    outputTokens = estimateTokens(x.outputTimes.length, answer.length + reasoning.length);
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

const NO_REASONING: ReasoningCounts = { reasoningTokens: null, answerTokens: null, source: null };

/**
 * Reasoning and answer tokens of a response that reasoned (null counts otherwise): the server's
 * usage.completion_tokens_details.reasoning_tokens (answer = completion - reasoning); else the
 * tokenizer over each text; else the output count split in proportion to the characters of each
 * (an estimate).
 */
export function countReasoning(x: RawExchange, out: TokenCounts, tokenizer: TokenCounter | undefined): ReasoningCounts {
  const reasoning = reasoningText(x);
  const detail = x.usage?.completion_tokens_details?.reasoning_tokens;
  const fromUsage = typeof detail === 'number' && detail > 0 && out.outputSource === 'usage' && out.outputTokens !== null;
  if (!reasoning && !fromUsage) return NO_REASONING;
  if (fromUsage) return { reasoningTokens: detail, answerTokens: Math.max(0, out.outputTokens! - detail), source: 'usage' };
  const answer = answerText(x);
  if (tokenizer) return { reasoningTokens: tokenizer.count(reasoning), answerTokens: answer ? tokenizer.count(answer) : 0, source: 'tokenizer' };
  const total = out.outputTokens ?? estimateTokens(0, reasoning.length + answer.length);
  const r = answer.length === 0 ? total : Math.round((total * reasoning.length) / (reasoning.length + answer.length));
  return { reasoningTokens: r, answerTokens: total - r, source: 'estimated' };
}

/**
 * Timings of an exchange. `streamed`: the body was an event stream (x.sse); a whole body has an
 * e2e but no TTFT, TPOT or ITL.
 */
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
  const ttftAnswer = streamed && x.tAnswer !== null ? x.tAnswer - t0 : null;
  const perChoice = outputTokens === null ? null : outputTokens / choiceCount(x);
  const tpot = ttft !== null && e2e !== null && perChoice !== null && perChoice > 1 ? (e2e - ttft) / (perChoice - 1) : null;
  const itl: number[] = [];
  const itlToken: number[] = [];
  if (times.length > 1) {
    const per = tokensPerChunk(x, outputTokens);
    const gap = (i: number, g: number) => {
      itl.push(g);
      const k = per[i] ?? 1;
      const each = g / (k || 1);
      for (let j = 0; j < k; j++) itlToken.push(each);
    };
    const of = x.choiceOf;
    if (!of) {
      for (let i = 1; i < times.length; i++) gap(i, times[i]! - times[i - 1]!);
    } else {
      // several choices: gaps within each choice's own stream
      const last: number[] = [];
      for (let i = 0; i < times.length; i++) {
        const c = of[i] ?? 0;
        const prev = last[c];
        if (prev !== undefined) gap(i, times[i]! - prev);
        last[c] = times[i]!;
      }
    }
  }
  return { ttfb, ttft, ttftAnswer, e2e, tpot, itl, itlToken };
}

/**
 * A response whose events arrived in bursts: at least this many gaps, and this share of them near
 * zero (bursts of 10 events or more on average). A buffering proxy releases a buffer of several
 * KB at a time: 20 to 40 events of ~150 bytes (nginx's default buffers: 97% of the gaps zero).
 * A server or a client that falls behind for a moment batches a few events: not flagged.
 */
export const BURST_MIN_GAPS = 9;
export const BURST_SHARE = 0.9;
/** Every event in one read is flagged from this many output events on (two or three can share a read by chance). */
export const ONE_READ_MIN_EVENTS = 4;
/** A gap is near zero under a tenth of the response's mean gap, and never above this (ms). */
export const NEAR_ZERO_MAX_MS = 1;

/**
 * Did a response really stream? null when no stream was asked for and none came, or nothing
 * arrived; else:
 *  - 'not_streamed': a stream was asked for and a whole body (JSON) came back;
 *  - 'one_read': ONE_READ_MIN_EVENTS or more output events, all in one read from the socket (one write upstream);
 *  - 'buffered': at least BURST_MIN_GAPS gaps within choices, and BURST_SHARE of them near zero
 *    (events released in bursts: a buffering proxy such as nginx's default proxy_buffering on);
 *  - 'ok'.
 * The last two read llmperf's own timestamps: an I/O thread running late also batches events
 * (summary.json `client` says when it did).
 */
export function checkStream(x: RawExchange, itl: readonly number[], streamRequested: boolean): StreamCheck | null {
  if (!x.sse) return streamRequested && x.errorCode === null && x.status >= 200 && x.status < 300 ? 'not_streamed' : null;
  const times = x.outputTimes;
  const n = times.length;
  if (n === 0) return x.errorCode === null ? 'ok' : null;
  if (n < 2) return 'ok';
  if (times[n - 1] === times[0]) return n >= ONE_READ_MIN_EVENTS ? 'one_read' : 'ok';
  if (itl.length >= BURST_MIN_GAPS) {
    let sum = 0;
    for (const g of itl) sum += g;
    const limit = Math.min(NEAR_ZERO_MAX_MS, sum / itl.length / 10);
    let near = 0;
    for (const g of itl) if (g <= limit) near++;
    if (near >= BURST_SHARE * itl.length) return 'buffered';
  }
  return 'ok';
}

/** Whether a check means the response did not really stream (its TPOT/ITL are left out). */
export function notStreamed(c: StreamCheck | null): boolean {
  return c === 'buffered' || c === 'one_read' || c === 'not_streamed';
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
export function toResult(rec: RequestRecord, x: Pick<RawExchange, 'text' | 'reasoning' | 'usage' | 'choiceTexts'>): LlmResult {
  return {
    status: rec.status,
    ok: rec.ok,
    text: x.text,
    texts: x.choiceTexts ?? [x.text],
    reasoning: x.reasoning,
    finishReason: rec.finishReason,
    usage: x.usage,
    inputTokens: rec.inputTokens,
    outputTokens: rec.outputTokens,
    inputTokenSource: rec.inputTokenSource,
    outputTokenSource: rec.outputTokenSource,
    reasoningTokens: rec.reasoningTokens,
    answerTokens: rec.answerTokens,
    ttfb: rec.ttfb,
    ttft: rec.ttft,
    ttftAnswer: rec.ttftAnswer,
    tpot: rec.tpot,
    e2e: rec.e2e,
    itl: rec.itl,
    chunks: rec.chunks,
    streamCheck: rec.streamCheck,
    error: rec.errorCode ? { code: rec.errorCode, message: rec.errorMessage ?? rec.errorCode } : null,
  };
}
