/**
 * `llmperf/data`: prompt datasets. Load them in init code (at the top level of the script): the file
 * is read once, on the host, before the test starts, and every VU shares it.
 *
 * ```ts
 * import { openqa } from 'llmperf/data';
 * const prompts = openqa('./data/open_qa.jsonl');      // relative to the script
 * export default async function () {
 *   await llm.chat({ messages: [{ role: 'user', content: prompts.next() }] });
 * }
 * ```
 *
 * A dataset cycles: item `i` is item `i % size`. `next()` walks one cursor shared by every VU of the
 * run, so VUs together go through the items in order. File formats and kinds: docs/data.md.
 */
/// <reference path="./globals.d.ts" />
import type { ChatMessage, DatasetItem, DatasetTurn, TurnMessage } from './dataset-plugin.js';

export type { ChatMessage, DatasetItem, DatasetTurn, TurnMessage };

/**
 * A loaded dataset. `T` is what `next()` returns: the prompt string when every item of the kind has
 * one, else the prompt when the item has one and the whole item otherwise.
 */
export interface Dataset<T = string | DatasetItem> {
  /** The kind (or the plugin's name). */
  readonly name: string;
  /** The number of items after the length filter. */
  readonly size: number;
  readonly length: number;
  /** The next item's prompt (or the item when it has no prompt); one cursor shared by all VUs. */
  next(): T;
  /** The next item, whole (prompt, messages, body, token hints, meta). */
  nextItem(): DatasetItem;
  /** Item `i % size`. */
  get(i: number): DatasetItem;
  /** The prompt of item `i % size` (undefined when it only has messages or a body). */
  prompt(i: number): string | undefined;
}

/** Options of the file datasets. */
export interface FileDatasetOptions {
  /**
   * Drop items whose prompt is shorter than this (inclusive limit). Lengths are tokens when a
   * tokenizer is given (here or options.llm.tokenizer), characters otherwise.
   */
  minPromptLength?: number;
  /** Drop items whose prompt is longer than this (inclusive limit). */
  maxPromptLength?: number;
  /** Tokenizer for lengths: a folder with tokenizer.json, or "tiktoken:o200k_base". */
  tokenizer?: string;
}

export interface LineByLineDatasetOptions extends FileDatasetOptions {
  /**
   * Read a line that is JSON as JSON: an array of messages, or an object that is the request body
   * (default true, as evalscope since 1.7). false: every line is a plain-text prompt (evalscope up to 1.6).
   */
  jsonLines?: boolean;
}

export interface JsonlDatasetOptions extends FileDatasetOptions {
  /** The field holding the prompt: a string or an array of chat messages (default "prompt"; dotted paths work). */
  field?: string;
}

export interface RandomDatasetOptions {
  /** How many prompts (default 1000). */
  number?: number;
  /** Prompt length range in tokens, drawn uniformly (inclusive; give one for a fixed length; default 1024). */
  minPromptLength?: number;
  maxPromptLength?: number;
  /** Tokens of a prefix shared by every prompt (not counted in the drawn length). Default 0. */
  prefixLength?: number;
  /** The same seed gives the same prompts (default 0). */
  seed?: number;
  /** Required: the prompts are made of its vocabulary (e.g. "tiktoken:o200k_base", or a folder with tokenizer.json). */
  tokenizer?: string;
}

export interface SharedPrefixDatasetOptions {
  /** Number of groups (default 64). */
  groups?: number;
  /** Prompts per group (default 16). */
  promptsPerGroup?: number;
  /** Tokens of each group's shared system prompt (default 2048). */
  prefixTokens?: number;
  /** Tokens of each prompt's own question (default 128). */
  suffixTokens?: number;
  seed?: number;
  /** Without one, lengths are estimates (one word ≈ one token). */
  tokenizer?: string;
}

/**
 * Options of evalscope's other kinds (docs/data.md "evalscope's datasets"): images, conversations,
 * batches, traces.
 */
export interface EvalscopeDatasetOptions {
  /** random_vl: size of the generated images (default 224 × 224). */
  imageWidth?: number;
  imageHeight?: number;
  /** random_vl: "RGB" (default), "RGBA", "L" (grey) or "LA": the PNG's colour type. */
  imageFormat?: string;
  /** random_vl: images per request (default 1). */
  imageNum?: number;
  /** Multi-turn kinds: turns per conversation; random_multi_turn draws from [minTurns, maxTurns] (maxTurns required), the others cut conversations at maxTurns. */
  minTurns?: number;
  maxTurns?: number;
  /** embedding_batch, random_embedding_batch: texts per request (default 8). */
  batchSize?: number;
  /** random_rerank: documents per query (default 10) and their length as a multiple of the query's (default 5). */
  numDocuments?: number;
  documentLengthRatio?: number;
  /** workload_trace: replay speed (2 = twice as fast; default 1), model rewriting, and max_tokens from the recorded completion_tokens (with ignore_eos). */
  speed?: number;
  modelOverride?: string;
  modelMapping?: Record<string, string>;
  matchOutputLength?: boolean;
  /** Send the prompt as token ids (a `body` with `prompt: number[]`, for /v1/completions); needs a tokenizer. */
  tokenizePrompt?: boolean;
  /**
   * openqa, longalpaca, line_by_line, share_gpt_*: fit prompts to this many tokens (longer ones are cut;
   * shorter ones kept, or dropped with inputLenMode "drop"); replaces the length filter. Needs a tokenizer.
   */
  targetInputLen?: number;
  inputLenMode?: 'cap' | 'drop';
  /** A long text whose slices fill each request up to targetInputLen tokens (repeated when short). */
  prefixFile?: string;
  /** The prefix as a leading system message ("system", default) or in front of the prompt ("user"). */
  prefixRole?: 'system' | 'user';
}

/** Options of `dataset(kind, options)`: any kind's options, plus `path` for file kinds and plugins. */
export interface AnyDatasetOptions extends FileDatasetOptions, EvalscopeDatasetOptions, Omit<RandomDatasetOptions, 'tokenizer'>, Omit<SharedPrefixDatasetOptions, 'tokenizer' | 'seed'> {
  path?: string;
  field?: string;
  /** line_by_line: see LineByLineDatasetOptions. */
  jsonLines?: boolean;
  /** Extra options handed to a dataset plugin as they are. */
  options?: Record<string, unknown>;
}

/** HC3 open_qa.jsonl: `{"question", "human_answers", "chatgpt_answers"}` a line; the prompt is `question`. */
export function openqa(path: string, opts?: FileDatasetOptions): Dataset<string>;
/** LongAlpaca-12k.json: a JSON array (or JSONL) of `{"instruction", "output", "file"}`; the prompt is `instruction`. */
export function longalpaca(path: string, opts?: FileDatasetOptions): Dataset<string>;
/** One prompt a line: plain text, a JSON array of messages, or a JSON request body (all text with jsonLines: false). */
export function lineByLine(path: string, opts?: LineByLineDatasetOptions): Dataset;
/** Alias of lineByLine (evalscope's name). */
export const line_by_line: typeof lineByLine;
/** ShareGPT: `{"conversations": [{"from", "value"}]}`; the prompt is the first human turn, the reply's length the outputTokens hint. */
export function sharegpt(path: string, opts?: FileDatasetOptions): Dataset<string>;
/** Any JSONL; `field` (default "prompt") holds a string or an array of messages. */
export function jsonl(path: string, opts?: JsonlDatasetOptions): Dataset;
/** Synthetic prompts of drawn lengths, made of a tokenizer's vocabulary (evalscope's random dataset). */
export function random(opts?: RandomDatasetOptions): Dataset<string>;
/** Groups of prompts sharing a long system prompt (prefix-cache tests); items also carry `messages`. */
export function sharedPrefix(opts?: SharedPrefixDatasetOptions): Dataset<string>;
/** Every built-in kind `dataset()` takes (docs/data.md). */
export type DatasetKind =
  | 'openqa' | 'longalpaca' | 'line_by_line' | 'custom' | 'sharegpt' | 'jsonl' | 'random' | 'shared_prefix'
  | 'share_gpt_zh' | 'share_gpt_en' | 'speed_benchmark' | 'speed_benchmark_long'
  | 'random_vl' | 'flickr8k' | 'kontext_bench'
  | 'embedding' | 'embedding_batch' | 'random_embedding' | 'random_embedding_batch' | 'rerank' | 'random_rerank'
  | 'share_gpt_zh_multi_turn' | 'share_gpt_en_multi_turn' | 'custom_multi_turn' | 'random_multi_turn' | 'swe_smith'
  | 'workload_trace';

/**
 * Any kind by name (DatasetKind: 'openqa', 'random_vl', 'embedding', 'custom_multi_turn',
 * 'workload_trace', ...), or the path of a dataset plugin ('./my-data.ts', see llmperf/dataset-plugin).
 */
export function dataset(kind: DatasetKind | (string & {}), opts?: AnyDatasetOptions): Dataset;

/**
 * Runs `fn` in init code and freezes the array it returns (k6's SharedArray). Use it for data you
 * build yourself, e.g. from `open()`; each VU runs `fn`, so prefer the dataset loaders for big files.
 */
export interface SharedArray<T> extends ReadonlyArray<T> {}
export const SharedArray: {
  new <T>(name: string, fn: () => T[]): SharedArray<T>;
};

declare const data: {
  openqa: typeof openqa;
  longalpaca: typeof longalpaca;
  lineByLine: typeof lineByLine;
  sharegpt: typeof sharegpt;
  jsonl: typeof jsonl;
  random: typeof random;
  sharedPrefix: typeof sharedPrefix;
  dataset: typeof dataset;
  SharedArray: typeof SharedArray;
};
export default data;
