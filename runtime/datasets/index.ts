/**
 * Datasets for `llmperf perf --dataset …` and for scripts (`import { openqa } from 'llmperf/data'`).
 * Host side only: files are read once, before the test starts, and VUs get items by index.
 *
 * Kinds (evalscope perf's names where it has one): openqa, longalpaca, line_by_line, custom
 * (evalscope's plain-text lines), sharegpt (vLLM's ShareGPT), jsonl, random, shared_prefix; and
 * evalscope's share_gpt_zh / share_gpt_en, speed_benchmark(_long), the image kinds random_vl,
 * flickr8k, kontext_bench, the batch kinds embedding(_batch), random_embedding(_batch), rerank,
 * random_rerank, the conversation kinds share_gpt_*_multi_turn, custom_multi_turn, random_multi_turn,
 * swe_smith, and workload_trace; or the path of a plugin (.ts/.js, see types/dataset-plugin.d.ts).
 * File formats are described in formats.ts and evalscope-formats.ts, conversations in
 * conversations.ts, images in images.ts, synthetic kinds in random.ts and evalscope-synthetic.ts,
 * trace replay in replay.ts and workload-trace.ts.
 *
 * Length filter: items whose prompt length is outside [minPromptLength, maxPromptLength] (both
 * inclusive) are dropped; lengths are tokens when a tokenizer is given, characters (code points)
 * otherwise. An item's length is its prompt, the sum of its messages' contents, or for a request body
 * its "messages" contents or "prompt"; kinds that follow evalscope measure what it measures (the last
 * user turn of share_gpt_*, a conversation's first user message) or do not filter (rerank, images,
 * swe_smith, workload_trace). (evalscope compares strictly: min < length < max.)
 *
 * tokenizePrompt (--tokenize-prompt): every item becomes a completions body whose prompt is token ids:
 * the prompt encoded, or the messages rendered with the tokenizer's chat template (their text joined
 * when it has none) and encoded.
 */
import { resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import type { Tokenizer } from '../tokenizers/types.ts';
import type { ChatMessage, Dataset, DatasetItem, DatasetOptions } from './types.ts';
import { jsonlItems, lineByLineItems, longalpacaItems, openqaItems, sharegptItems } from './formats.ts';
import { batchItems, customItems, embeddingItems, embeddingTexts, lastMessageText, rerankItems, shareGptZhEnItems } from './evalscope-formats.ts';
import { randomEmbeddingItems, randomRerankItems, speedBenchmarkItems } from './evalscope-synthetic.ts';
import { customTurnsItems, firstUserText, randomTurnsItems, shareGptTurnsItems, sweSmithItems } from './conversations.ts';
import { localImageItems, randomVlItems } from './images.ts';
import { workloadTraceItems } from './workload-trace.ts';
import { applyLengthControl, checkLengthControl } from './length-control.ts';
import { loadPluginItems } from './plugin.ts';
import { randomItems, sharedPrefixItems } from './random.ts';
import { resolveDataFile } from './read.ts';

export type { ChatMessage, Dataset, DatasetItem, DatasetOptions };
export { loadReplayTrace, promptForLength, REPLAY_BLOCK_TOKENS, type TraceRecord } from './replay.ts';
export { CONVERSATION_KINDS } from './conversations.ts';

/**
 * A kind read from a file: its reader, and what the length filter measures (`measure`: the text, or
 * null to keep the item unmeasured; `filter: false`: no length filter, as evalscope has none there).
 */
interface FileKind {
  read(path: string, o: DatasetOptions): AsyncIterable<DatasetItem>;
  measure?(item: DatasetItem): string | null;
  filter?: false;
}

async function* fromList(items: Promise<DatasetItem[]>): AsyncGenerator<DatasetItem> {
  yield* await items;
}

const FILE_KINDS: Record<string, FileKind> = {
  openqa: { read: (path) => openqaItems(path) },
  longalpaca: { read: (path) => longalpacaItems(path) },
  line_by_line: { read: (path, o) => lineByLineItems(path, o.jsonLines ?? true) },
  custom: { read: (path, o) => (o.jsonLines === true ? lineByLineItems(path, true) : customItems(path)) },
  sharegpt: { read: (path, o) => sharegptItems(path, o.tokenizer) },
  jsonl: { read: (path, o) => jsonlItems(path, o.field) },
  share_gpt_zh: { read: (path) => shareGptZhEnItems(path), measure: lastMessageText },
  share_gpt_en: { read: (path) => shareGptZhEnItems(path), measure: lastMessageText },
  share_gpt: { read: (path) => shareGptZhEnItems(path), measure: lastMessageText },
  embedding: { read: (path) => embeddingItems(path) },
  embed: { read: (path) => embeddingItems(path) },
  rerank: { read: (path) => rerankItems(path), filter: false },
  share_gpt_zh_multi_turn: { read: (path, o) => shareGptTurnsItems(path, o.maxTurns), measure: firstUserText },
  share_gpt_en_multi_turn: { read: (path, o) => shareGptTurnsItems(path, o.maxTurns), measure: firstUserText },
  custom_multi_turn: { read: (path, o) => customTurnsItems(path, o.maxTurns), measure: firstUserText },
  swe_smith: { read: (path) => sweSmithItems(path), filter: false },
  workload_trace: { read: (path, o) => fromList(workloadTraceItems(path, o)), filter: false },
};

const SYNTHETIC_KINDS = {
  random: randomItems,
  shared_prefix: sharedPrefixItems,
  speed_benchmark: () => speedBenchmarkItems('speed_benchmark'),
  speed_benchmark_long: () => speedBenchmarkItems('speed_benchmark_long'),
  random_vl: randomVlItems,
  random_embedding: (o: DatasetOptions) => randomEmbeddingItems(o, false),
  random_embedding_batch: (o: DatasetOptions) => randomEmbeddingItems(o, true),
  random_rerank: randomRerankItems,
  random_multi_turn: randomTurnsItems,
} satisfies Record<string, (opts: DatasetOptions) => { name: string; items: DatasetItem[] }>;

/** Kinds read from a local copy that is a folder or a .tar (images.ts). */
const IMAGE_KINDS = ['flickr8k', 'kontext_bench'] as const;

const PLUGIN_FILE = /\.(?:[cm]?[jt]s)$/i;

export const DATASET_KINDS: readonly string[] = [...Object.keys(FILE_KINDS), 'embedding_batch', ...IMAGE_KINDS, ...Object.keys(SYNTHETIC_KINDS)];

export async function loadDataset(opts: DatasetOptions): Promise<Dataset> {
  checkOptions(opts);
  const dataset = await loadItems(opts);
  return opts.tokenizePrompt ? makeDataset(dataset.name, tokenizeItems(dataset.items, opts.tokenizer)) : makeDataset(dataset.name, dataset.items);
}

async function loadItems(opts: DatasetOptions): Promise<{ name: string; items: DatasetItem[] }> {
  const kind = opts.kind;
  if (Object.hasOwn(SYNTHETIC_KINDS, kind)) return SYNTHETIC_KINDS[kind as keyof typeof SYNTHETIC_KINDS](opts);
  if ((IMAGE_KINDS as readonly string[]).includes(kind)) {
    if (opts.path === undefined) throw new ConfigError(`the ${kind} dataset needs a local copy: pass --dataset-path (its folder, or a .tar shard); llmperf never downloads`, 'DATASET_NOT_FOUND');
    return { name: kind, items: localImageItems(kind as (typeof IMAGE_KINDS)[number], resolve(opts.baseDir ?? process.cwd(), opts.path), opts.number) };
  }
  if (kind === 'embedding_batch') {
    // evalscope filters each text, then batches what is left
    const path = resolveDataFile(opts.path, opts.baseDir, 'embedding_batch dataset');
    const kept = await filterByLength(embeddingItems(path), opts, path);
    const size = opts.batchSize ?? 8;
    if (!Number.isInteger(size) || size < 1) throw new ConfigError(`embedding_batch: batch_size must be a whole number >= 1, got ${size}`, 'INVALID_DATASET_OPTION');
    return { name: kind, items: batchItems(kept.map((i) => i.prompt ?? ''), size) };
  }
  if (Object.hasOwn(FILE_KINDS, kind)) {
    if (kind === 'swe_smith' && opts.path === undefined) {
      throw new ConfigError("swe_smith needs --dataset-path: the agentic_dataset.json that evalscope's examples/perf/build_swe_smith_dataset.py builds (llmperf never downloads the trajectories)", 'DATASET_NOT_FOUND');
    }
    const spec = FILE_KINDS[kind]!;
    const path = resolveDataFile(opts.path, opts.baseDir, `${kind} dataset`);
    const items = spec.read(path, opts);
    if (opts.targetInputLen !== undefined) {
      // evalscope's length control replaces the length filter (length-control.ts)
      const control = { targetInputLen: opts.targetInputLen, ...(opts.inputLenMode ? { inputLenMode: opts.inputLenMode } : {}), ...(opts.prefixFile ? { prefixFile: opts.prefixFile } : {}), ...(opts.prefixRole ? { prefixRole: opts.prefixRole } : {}) };
      checkLengthControl(control, kind, opts.tokenizer);
      const fitted = applyLengthControl(await collect(items, path, kind), control, opts.tokenizer!, opts.baseDir ?? process.cwd(), () => {});
      if (!fitted.length) throw new ConfigError(`${path}: no prompt left after fitting to target_input_len ${opts.targetInputLen} (input_len_mode ${opts.inputLenMode ?? 'cap'})`, 'EMPTY_DATASET');
      return { name: kind, items: fitted };
    }
    return { name: kind, items: spec.filter === false ? await collect(items, path, kind) : await filterByLength(items, opts, path, spec.measure) };
  }
  if (PLUGIN_FILE.test(kind) || kind.includes('/') || kind.includes('\\')) {
    const { name, items, file } = await loadPluginItems(kind, opts);
    return { name, items: await filterByLength(items, opts, file) };
  }
  throw new ConfigError(
    `unknown dataset kind "${kind}": use one of ${DATASET_KINDS.join(', ')}, or the path of a dataset plugin (.ts/.js)`,
    'UNKNOWN_DATASET',
  );
}

/** Every item of a kind that is not length-filtered (at least one). */
async function collect(items: AsyncIterable<DatasetItem>, source: string, kind: string): Promise<DatasetItem[]> {
  const out: DatasetItem[] = [];
  for await (const item of items) out.push(item);
  if (!out.length) throw new ConfigError(`${source}: no items in it (is the file empty, or in another format than the dataset kind "${kind}"?)`, 'EMPTY_DATASET');
  return out;
}

/** --tokenize-prompt: each item as a completions body whose prompt is token ids. */
function tokenizeItems(items: DatasetItem[], tokenizer: Tokenizer | undefined): DatasetItem[] {
  if (!tokenizer) throw new ConfigError('--tokenize-prompt needs --tokenizer-path: the prompts are sent as the tokenizer\'s token ids', 'TOKENIZER_REQUIRED');
  return items.map((item) => {
    if (item.turns) return item; // conversations are sent as messages (evalscope ignores the flag there too)
    const messages = item.messages ?? (Array.isArray(item.body?.messages) ? (item.body.messages as Array<{ role: string; content: unknown }>) : undefined);
    let text: string;
    if (item.prompt !== undefined) text = item.prompt;
    else if (messages) {
      if (messages.some((m) => typeof m.content !== 'string')) {
        throw new ConfigError('--tokenize-prompt is not supported with image datasets: a list of token ids cannot carry images (remove --tokenize-prompt)', 'INVALID_DATASET_OPTION');
      }
      const flat = messages.map((m) => ({ role: m.role, content: m.content as string }));
      text = tokenizer.applyChatTemplate?.(flat, { addGenerationPrompt: true }) ?? flat.map((m) => m.content).join('\n');
    } else if (typeof item.body?.prompt === 'string') text = item.body.prompt;
    else return item;
    const ids = tokenizer.encode(text);
    const { body: _b, messages: _m, prompt: _p, ...rest } = item;
    const { messages: _bm, ...body } = item.body ?? {};
    void [_b, _m, _p, _bm];
    return { ...rest, body: { ...body, prompt: ids }, inputTokens: ids.length };
  });
}

function checkOptions(opts: DatasetOptions): void {
  for (const key of ['minPromptLength', 'maxPromptLength', 'prefixLength', 'number', 'groups', 'promptsPerGroup', 'prefixTokens', 'suffixTokens'] as const) {
    const value = opts[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw new ConfigError(`dataset option ${key} must be a non-negative integer, got ${String(value)}`, 'INVALID_DATASET_OPTION');
    }
  }
  if (opts.seed !== undefined && !Number.isFinite(opts.seed)) {
    throw new ConfigError(`dataset option seed must be a number, got ${String(opts.seed)}`, 'INVALID_DATASET_OPTION');
  }
  const { minPromptLength: min, maxPromptLength: max } = opts;
  if (min !== undefined && max !== undefined && min > max) {
    throw new ConfigError(`minPromptLength (${min}) is greater than maxPromptLength (${max}): fix --min-prompt-length / --max-prompt-length`, 'INVALID_DATASET_OPTION');
  }
}

/** The length the filter compares: tokens with a tokenizer, code points without. */
export function itemLength(item: DatasetItem, tokenizer?: Tokenizer): number {
  const measure = (text: string): number => (tokenizer ? tokenizer.count(text) : [...text].length);
  if (item.prompt !== undefined) return measure(item.prompt);
  const messages = item.messages ?? (Array.isArray(item.body?.messages) ? (item.body.messages as unknown[]) : undefined);
  if (messages) {
    let total = 0;
    for (const m of messages) {
      const content = (m as { content?: unknown } | null)?.content;
      if (typeof content === 'string') total += measure(content);
    }
    return total;
  }
  const prompt = item.body?.prompt;
  if (typeof prompt === 'string') return measure(prompt);
  if (Array.isArray(prompt)) return prompt.reduce<number>((n, p) => n + (typeof p === 'string' ? measure(p) : 0), 0);
  return 0;
}

async function filterByLength(items: AsyncIterable<DatasetItem>, opts: DatasetOptions, source: string, measure?: (item: DatasetItem) => string | null): Promise<DatasetItem[]> {
  const { tokenizer, minPromptLength: min, maxPromptLength: max } = opts;
  const limited = min !== undefined || max !== undefined;
  const kept: DatasetItem[] = [];
  let read = 0;
  for await (const item of items) {
    read++;
    if (!limited && !tokenizer) {
      kept.push(item);
      continue;
    }
    const text = measure ? measure(item) : undefined;
    if (text === null) {
      kept.push(item); // nothing to measure (a conversation that opens with images)
      continue;
    }
    const length = text !== undefined ? (tokenizer ? tokenizer.count(text) : [...text].length) : itemLength(item, tokenizer);
    if ((min !== undefined && length < min) || (max !== undefined && length > max)) continue;
    if (tokenizer && !measure && item.inputTokens === undefined) item.inputTokens = length;
    kept.push(item);
  }
  if (read === 0) {
    throw new ConfigError(`${source}: no items in it (is the file empty, or in another format than the dataset kind "${opts.kind}"?)`, 'EMPTY_DATASET');
  }
  if (kept.length === 0) {
    const unit = tokenizer ? `tokens (tokenizer ${tokenizer.name})` : 'characters (no tokenizer given)';
    throw new ConfigError(
      `${source}: all ${read} items read were filtered out by the prompt-length limits [${min ?? 0}, ${max ?? '∞'}] ${unit}; ` +
        'widen --min-prompt-length / --max-prompt-length (or minPromptLength / maxPromptLength)',
      'EMPTY_DATASET',
    );
  }
  return kept;
}

function freeze(item: DatasetItem): DatasetItem {
  if (item.messages) for (const m of item.messages) Object.freeze(m);
  if (item.messages) Object.freeze(item.messages);
  return Object.freeze(item);
}

/** A dataset over `items` (at least one) that cycles: get(i) is items[i mod size]. */
export function makeDataset(name: string, items: DatasetItem[]): Dataset {
  if (items.length === 0) throw new ConfigError(`dataset ${name} has no items`, 'EMPTY_DATASET');
  const frozen = items.map(freeze);
  const size = frozen.length;
  return {
    name,
    size,
    get(i: number): DatasetItem {
      if (!Number.isFinite(i)) throw new RangeError(`dataset ${name}: index must be a finite number, got ${i}`);
      const k = Math.floor(i) % size;
      return frozen[k < 0 ? k + size : k] as DatasetItem;
    },
  };
}
