/**
 * Datasets for `llmperf perf --dataset …` and for scripts (`import { openqa } from 'llmperf/data'`).
 * Host side only: files are read once, before the test starts, and VUs get items by index.
 *
 * Kinds (evalscope perf's names where it has one): openqa, longalpaca, line_by_line (alias: custom,
 * evalscope's plain-text "custom"), sharegpt, jsonl, random, shared_prefix, or the path of a plugin
 * (.ts/.js, see types/dataset-plugin.d.ts). File formats are described in formats.ts, synthetic ones
 * in random.ts, trace replay in replay.ts.
 *
 * Length filter: items whose prompt length is outside [minPromptLength, maxPromptLength] (both
 * inclusive) are dropped; lengths are tokens when a tokenizer is given, characters (code points)
 * otherwise. An item's length is its prompt, the sum of its messages' contents, or for a request body
 * its "messages" contents or "prompt". (evalscope compares strictly: min < length < max.)
 */
import { ConfigError } from '../errors.ts';
import type { Tokenizer } from '../tokenizers/types.ts';
import type { ChatMessage, Dataset, DatasetItem, DatasetOptions } from './types.ts';
import { jsonlItems, lineByLineItems, longalpacaItems, openqaItems, sharegptItems } from './formats.ts';
import { loadPluginItems } from './plugin.ts';
import { randomItems, sharedPrefixItems } from './random.ts';
import { resolveDataFile } from './read.ts';

export type { ChatMessage, Dataset, DatasetItem, DatasetOptions };
export { loadReplayTrace, promptForLength, REPLAY_BLOCK_TOKENS, type TraceRecord } from './replay.ts';


const FILE_KINDS = {
  openqa: (path: string) => openqaItems(path),
  longalpaca: (path: string) => longalpacaItems(path),
  line_by_line: (path: string, o: DatasetOptions) => lineByLineItems(path, o.jsonLines ?? true),
  custom: (path: string, o: DatasetOptions) => lineByLineItems(path, o.jsonLines ?? true),
  sharegpt: (path: string, o: DatasetOptions) => sharegptItems(path, o.tokenizer),
  jsonl: (path: string, o: DatasetOptions) => jsonlItems(path, o.field),
} satisfies Record<string, (path: string, opts: DatasetOptions) => AsyncIterable<DatasetItem>>;

const SYNTHETIC_KINDS = {
  random: randomItems,
  shared_prefix: sharedPrefixItems,
} satisfies Record<string, (opts: DatasetOptions) => { name: string; items: DatasetItem[] }>;

const PLUGIN_FILE = /\.(?:[cm]?[jt]s)$/i;

export const DATASET_KINDS: readonly string[] = [...Object.keys(FILE_KINDS), ...Object.keys(SYNTHETIC_KINDS)];

export async function loadDataset(opts: DatasetOptions): Promise<Dataset> {
  checkOptions(opts);
  const kind = opts.kind;
  if (Object.hasOwn(SYNTHETIC_KINDS, kind)) {
    const { name, items } = SYNTHETIC_KINDS[kind as keyof typeof SYNTHETIC_KINDS](opts);
    return makeDataset(name, items);
  }
  if (Object.hasOwn(FILE_KINDS, kind)) {
    const path = resolveDataFile(opts.path, opts.baseDir, `${kind} dataset`);
    const items = FILE_KINDS[kind as keyof typeof FILE_KINDS](path, opts);
    return makeDataset(kind, await filterByLength(items, opts, path));
  }
  if (PLUGIN_FILE.test(kind) || kind.includes('/') || kind.includes('\\')) {
    const { name, items, file } = await loadPluginItems(kind, opts);
    return makeDataset(name, await filterByLength(items, opts, file));
  }
  throw new ConfigError(
    `unknown dataset kind "${kind}": use one of ${DATASET_KINDS.join(', ')}, or the path of a dataset plugin (.ts/.js)`,
    'UNKNOWN_DATASET',
  );
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

async function filterByLength(items: AsyncIterable<DatasetItem>, opts: DatasetOptions, source: string): Promise<DatasetItem[]> {
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
    const length = itemLength(item, tokenizer);
    if ((min !== undefined && length < min) || (max !== undefined && length > max)) continue;
    if (tokenizer && item.inputTokens === undefined) item.inputTokens = length;
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
