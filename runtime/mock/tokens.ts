/**
 * Deterministic "tokens" for the mock server: a seeded RNG per request, the fixed vocabulary the
 * output is drawn from, prompt-token counting, and the output length rules.
 *
 * A token is one word with a leading space (" the"), so a client that counts words counts tokens.
 * Every request gets its own RNG streams derived from (seed, request number), so a run with the same
 * seed and the same request order produces the same lengths, faults and words.
 */
import { mulberry32, type Rng } from '../rng.ts';

export { mulberry32, type Rng };

/** 64 plain ASCII words: no JSON escaping is ever needed when they are spliced into events. */
const WORDS = [
  'the', 'of', 'and', 'to', 'in', 'a', 'is', 'that', 'for', 'it', 'as', 'was', 'with', 'be', 'by', 'on',
  'not', 'this', 'are', 'or', 'from', 'at', 'which', 'but', 'have', 'an', 'they', 'you', 'were', 'one', 'all', 'we',
  'can', 'has', 'there', 'been', 'if', 'more', 'when', 'will', 'would', 'who', 'so', 'no', 'model', 'token',
  'server', 'latency', 'stream', 'request', 'answer', 'quickly', 'system', 'data', 'time', 'value', 'result', 'test',
  'load', 'queue', 'batch', 'cache', 'text', 'word',
] as const;
export const VOCAB: readonly string[] = WORDS.map((w) => ' ' + w);
const VOCAB_MASK = VOCAB.length - 1; // 63: the length is a power of two



/** Mixes the server seed, the request number and a stream id into one 32-bit seed. */
export function requestSeed(seed: number, n: number, stream: number): number {
  let h = Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (n >>> 0) ^ (h >>> 13), 0xc2b2ae35);
  h = Math.imul(h ^ Math.imul(stream, 0x27d4eb2f) ^ (h >>> 16), 0x85ebca6b);
  return (h ^ (h >>> 15)) | 0;
}

/** Streams of randomness per request, so that one kind of draw never shifts another. */
export const RNG_MAIN = 1; // output length, then one draw per fault name in FAULT_NAMES order
export const RNG_WORDS = 2;
export const RNG_JITTER = 3;

/** Text of `count` tokens drawn from `rng`. */
export function words(rng: Rng, count: number): string {
  if (count === 1) return VOCAB[(rng() * 4294967296) & VOCAB_MASK]!;
  let s = '';
  for (let i = 0; i < count; i++) s += VOCAB[(rng() * 4294967296) & VOCAB_MASK]!;
  return s;
}

/**
 * Prompt tokens are estimated as ceil(chars / 4) of the prompt text (the common rule of thumb for
 * English with BPE tokenizers): for chat, the text of every message (string content or text
 * parts) concatenated; for completions, the prompt string(s), and 1 token per id for token-id
 * prompts. It is an estimate on purpose: the mock has no tokenizer, and clients should prefer the
 * usage it reports over their own count only when they run against a real model.
 */
export function promptTokensOfText(chars: number): number {
  return Math.ceil(chars / 4);
}

/** Characters of prompt text in OpenAI chat `messages` or DashScope `input.messages`. */
export function messagesChars(messages: unknown): number {
  if (!Array.isArray(messages)) return 0;
  let chars = 0;
  for (const m of messages) {
    if (!m || typeof m !== 'object') continue;
    const c = (m as { content?: unknown }).content;
    if (typeof c === 'string') chars += c.length;
    else if (Array.isArray(c)) {
      for (const part of c) {
        if (part && typeof part === 'object') {
          const t = (part as { text?: unknown }).text;
          if (typeof t === 'string') chars += t.length;
        } else if (typeof part === 'string') chars += part.length;
      }
    }
  }
  return chars;
}

/** Prompt tokens of an OpenAI completions `prompt`: string, string[], number[] or number[][]. */
export function completionPromptTokens(prompt: unknown): number {
  if (typeof prompt === 'string') return promptTokensOfText(prompt.length);
  if (!Array.isArray(prompt)) return 0;
  if (prompt.every((x) => typeof x === 'number')) return prompt.length;
  let tokens = 0;
  for (const p of prompt) {
    if (typeof p === 'string') tokens += promptTokensOfText(p.length);
    else if (Array.isArray(p)) tokens += p.length;
  }
  return tokens;
}

export interface LengthRequest {
  /** Per-request override of the configured length (body mock.output_tokens). */
  override?: number;
  maxTokens?: number;
  minTokens?: number;
  /** vLLM's ignore_eos: with max_tokens, generate exactly max_tokens. */
  ignoreEos?: boolean;
}

/**
 * Output length: the configured length (fixed, or drawn uniformly from the range with `rng`;
 * the draw happens even when overridden so the RNG stream stays aligned), replaced by the
 * override when given, capped by max_tokens (finish_reason "length"), raised to min_tokens.
 */
export function outputLength(
  configured: number | { min: number; max: number },
  rng: Rng,
  req: LengthRequest,
): { tokens: number; finish: 'stop' | 'length' } {
  const drawn = typeof configured === 'number'
    ? configured
    : configured.min + Math.floor(rng() * (configured.max - configured.min + 1));
  let tokens = req.override ?? drawn;
  let finish: 'stop' | 'length' = 'stop';
  if (req.maxTokens !== undefined && (req.ignoreEos || tokens > req.maxTokens)) {
    tokens = req.maxTokens;
    finish = 'length';
  }
  if (req.minTokens !== undefined && tokens < req.minTokens) tokens = req.minTokens;
  return { tokens: Math.max(1, tokens), finish };
}
