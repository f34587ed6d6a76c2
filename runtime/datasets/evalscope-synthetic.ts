/**
 * evalscope's synthetic datasets besides `random` (random.ts), made without a file:
 *
 * - speed_benchmark       Qwen's speed benchmark: prompts of 1, 6144, 14336 and 30720 characters
 *                          "熵" (about one token each), two of each, in that order; sent to
 *                          /v1/completions with max_tokens = min_tokens = 2048 in evalscope's docs
 * - speed_benchmark_long  the same with 63488 and 129024
 * - random_embedding      texts to embed of lengths drawn from [minPromptLength, maxPromptLength] tokens
 * - random_embedding_batch  the same, `batchSize` texts (default 8) a request
 * - random_rerank         a query of a drawn length and `numDocuments` documents (default 10) of
 *                          `documentLengthRatio` (default 5) times its length
 * The texts are made of the tokenizer's vocabulary (synth.ts), like evalscope's (which needs
 * --tokenizer-path for them); `number` items (default 1000), seeded.
 */
import { ConfigError } from '../errors.ts';
import type { DatasetItem, DatasetOptions } from './types.ts';
import { randInt, seeded, type Rand } from './rng.ts';
import { TextSynth } from './synth.ts';

const SPEED_CHAR = '熵';
export const SPEED_LENGTHS = { speed_benchmark: [1, 6144, 14336, 30720], speed_benchmark_long: [63488, 129024] } as const;

export function speedBenchmarkItems(kind: keyof typeof SPEED_LENGTHS): { name: string; items: DatasetItem[] } {
  const items: DatasetItem[] = [];
  for (const n of SPEED_LENGTHS[kind]) for (let r = 0; r < 2; r++) items.push({ prompt: SPEED_CHAR.repeat(n) });
  return { name: kind, items };
}

function synthFor(opts: DatasetOptions, kind: string): { synth: TextSynth; rand: Rand; number: number; min: number; max: number } {
  if (!opts.tokenizer) {
    throw new ConfigError(`the ${kind} dataset builds texts from a tokenizer's vocabulary: pass --tokenizer-path (a folder with tokenizer.json, or tiktoken:o200k_base) or the tokenizer option`, 'TOKENIZER_REQUIRED');
  }
  let min = Math.max(1, opts.minPromptLength ?? opts.maxPromptLength ?? 1024);
  let max = Math.max(1, opts.maxPromptLength ?? min);
  if (min > max) [min, max] = [max, min];
  const number = opts.number ?? 1000;
  if (number < 1) throw new ConfigError(`${kind} dataset: --number must be at least 1`, 'INVALID_DATASET_OPTION');
  return { synth: TextSynth.for(opts.tokenizer), rand: seeded(opts.seed ?? 0, kind), number, min, max };
}

function positive(v: number | undefined, def: number, what: string): number {
  const n = v ?? def;
  if (!(n > 0) || !Number.isFinite(n)) throw new ConfigError(`${what} must be > 0, got ${String(v)}`, 'INVALID_DATASET_OPTION');
  return n;
}

export function randomEmbeddingItems(opts: DatasetOptions, batched: boolean): { name: string; items: DatasetItem[] } {
  const kind = batched ? 'random_embedding_batch' : 'random_embedding';
  const { synth, rand, number, min, max } = synthFor(opts, kind);
  const batch = batched ? Math.floor(positive(opts.batchSize, 8, 'batch_size (--extra-args)')) : 1;
  const items: DatasetItem[] = [];
  for (let i = 0; i < number; i++) {
    const texts = Array.from({ length: batch }, () => synth.text(randInt(rand, min, max), rand));
    items.push(batched ? { body: { input: texts.map((t) => t.text) } } : { prompt: texts[0]!.text, inputTokens: texts[0]!.tokens });
  }
  return { name: kind, items };
}

export function randomRerankItems(opts: DatasetOptions): { name: string; items: DatasetItem[] } {
  const { synth, rand, number, min, max } = synthFor(opts, 'random_rerank');
  const docs = Math.floor(positive(opts.numDocuments, 10, 'num_documents (--extra-args)'));
  const ratio = positive(opts.documentLengthRatio, 5, 'document_length_ratio (--extra-args)');
  const items: DatasetItem[] = [];
  for (let i = 0; i < number; i++) {
    const queryLength = randInt(rand, min, max);
    const docLength = Math.max(1, Math.floor(queryLength * ratio));
    items.push({ body: { query: synth.text(queryLength, rand).text, documents: Array.from({ length: docs }, () => synth.text(docLength, rand).text) } });
  }
  return { name: 'random_rerank', items };
}
