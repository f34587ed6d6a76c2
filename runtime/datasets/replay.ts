/**
 * Trace replay (Mooncake-style JSONL, or evalscope's workload_trace) and the prompts it sends.
 *
 * A workload_trace line (`{"body": {...}, "timestamp": seconds | ISO 8601, ...}`, workload-trace.ts)
 * gives a record with timestamp = its seconds × 1000, inputLength 0 (unknown: the body is sent as it
 * is), outputLength its completion_tokens or body max_tokens (0 when neither); a file is one format.
 *
 * A Mooncake trace line is `{"timestamp": ms, "input_length": n, "output_length": n, "hash_ids": [..]}`:
 * timestamp in milliseconds from the trace's start; hash_ids name the prompt's blocks of
 * REPLAY_BLOCK_TOKENS tokens (the last block may be partial), and equal ids mean equal content, which
 * is how the trace encodes prefix-cache reuse. promptForLength turns that back into text: each hash id
 * maps to a deterministic block of text (the same for every request and every seed), so requests that
 * share leading hash ids share a textual prefix; tokens past the blocks are filled from `seed`.
 */
import { ConfigError } from '../errors.ts';
import type { Tokenizer } from '../tokenizers/types.ts';
import { asObject, invalid, parseJsonLine, readLines, resolveDataFile } from './read.ts';
import { seeded } from './rng.ts';
import { TextSynth, type SynthText } from './synth.ts';
import { isWorkloadRecord, workloadRecord } from './workload-trace.ts';

/** Tokens per hash-id block, as in Mooncake's traces. */
export const REPLAY_BLOCK_TOKENS = 512;

export interface TraceRecord {
  /** Planned arrival, milliseconds from the trace's start. */
  timestamp: number;
  /** Prompt tokens (0 for a workload_trace record: its body is sent as it is). */
  inputLength: number;
  /** Tokens to generate (use as max_tokens). */
  outputLength: number;
  /** Block hash ids: equal ids are equal blocks of REPLAY_BLOCK_TOKENS tokens. */
  hashIds: number[];
  /** Line of the trace file the record came from. */
  line: number;
}

function nonNegativeInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/**
 * Reads and validates a Mooncake-style trace (errors are `path:line: …`). Records come sorted by
 * timestamp (a stable sort: equal timestamps keep file order).
 */
export async function loadReplayTrace(path: string, baseDir?: string): Promise<TraceRecord[]> {
  const file = resolveDataFile(path, baseDir, 'replay trace');
  const records: TraceRecord[] = [];
  let workload: boolean | undefined;
  for await (const { line, text } of readLines(file)) {
    const where = `${file}:${line}`;
    const obj = asObject(parseJsonLine(text, where), where);
    const isWorkload = isWorkloadRecord(obj);
    if (workload !== undefined && isWorkload !== workload) throw invalid(where, 'a trace is either Mooncake records ({"timestamp", "input_length", ...}) or workload_trace records ({"body", "timestamp", ...}), not both');
    workload = isWorkload;
    if (isWorkload) {
      const w = workloadRecord(obj, where, line);
      const max = w.body.max_tokens;
      const output = w.completionTokens ?? (typeof max === 'number' && Number.isInteger(max) && max > 0 ? max : 0);
      records.push({ timestamp: w.timestamp * 1000, inputLength: 0, outputLength: output, hashIds: [], line });
      continue;
    }
    const { timestamp, input_length: input, output_length: output, hash_ids: hashIds } = obj;
    if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || timestamp < 0) {
      throw invalid(where, `"timestamp" must be a non-negative number of milliseconds, got ${JSON.stringify(timestamp)}`);
    }
    if (!nonNegativeInt(input) || input < 1) throw invalid(where, `"input_length" must be a positive integer, got ${JSON.stringify(input)}`);
    if (!nonNegativeInt(output) || output < 1) throw invalid(where, `"output_length" must be a positive integer, got ${JSON.stringify(output)}`);
    if (hashIds !== undefined && !(Array.isArray(hashIds) && hashIds.every(nonNegativeInt))) {
      throw invalid(where, '"hash_ids" must be an array of non-negative integers');
    }
    records.push({ timestamp, inputLength: input, outputLength: output, hashIds: (hashIds as number[] | undefined) ?? [], line });
  }
  if (records.length === 0) throw new ConfigError(`${file}: the replay trace has no records`, 'EMPTY_DATASET');
  records.sort((a, b) => a.timestamp - b.timestamp);
  return records;
}

const BLOCK_CACHE_LIMIT = 8192;
const blockCaches = new WeakMap<TextSynth, Map<string, SynthText>>();

/** The text of block `hashId` when `tokens` of it are used; cached (bounded) per tokenizer. */
function block(synth: TextSynth, hashId: number, tokens: number): SynthText {
  let blocks = blockCaches.get(synth);
  if (!blocks) blockCaches.set(synth, (blocks = new Map()));
  const key = `${hashId}:${tokens}`;
  let hit = blocks.get(key);
  if (!hit) {
    hit = synth.text(tokens, seeded('replay-block', hashId));
    if (blocks.size >= BLOCK_CACHE_LIMIT) blocks.delete(blocks.keys().next().value as string);
    blocks.set(key, hit);
  }
  return hit;
}

/**
 * A prompt of about `tokens` tokens (exactly, for tokenizers that split on spaces; an estimate of one
 * word per token without a tokenizer). With `hashIds` (a trace record's hash_ids), the first tokens
 * are the blocks those ids name, REPLAY_BLOCK_TOKENS each, so equal leading ids give equal prefixes; the
 * rest is filled from `seed`. Deterministic: same arguments, same text.
 */
export function promptForLength(
  tokenizer: Tokenizer | undefined,
  tokens: number,
  seed: number,
  hashIds: readonly number[] = [],
): string {
  const synth = TextSynth.for(tokenizer);
  const target = Math.max(0, Math.floor(tokens));
  const texts: string[] = [];
  const words: string[] = [];
  let covered = 0;
  for (const id of hashIds) {
    if (covered >= target) break;
    const part = block(synth, id, Math.min(REPLAY_BLOCK_TOKENS, target - covered));
    texts.push(part.text);
    words.push(...part.words);
    covered += part.tokens;
  }
  if (covered >= target && texts.length > 0) return texts.join(' ');
  const head: SynthText | undefined = texts.length > 0 ? { text: `${texts.join(' ')} `, tokens: covered, words } : undefined;
  return synth.text(target, seeded('replay-tail', seed, target), head).text;
}
