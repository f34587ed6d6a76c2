/** The dataset interfaces shared by the loaders (formats.ts, random.ts, plugin.ts) and index.ts. */
import type { Tokenizer } from '../tokenizers/types.ts';
import type { ChatMessage, DatasetItem, DatasetTurn, TurnMessage } from '../../types/dataset-plugin.d.ts';
import type { EvalscopeDatasetOptions } from '../../types/data.d.ts';

export type { ChatMessage, DatasetItem, DatasetTurn, TurnMessage };

export interface Dataset {
  readonly name: string;
  readonly size: number;
  /** Item `i % size` (negative and fractional indexes are folded in too). Items are frozen: copy to change. */
  get(i: number): DatasetItem;
}

export interface DatasetOptions extends EvalscopeDatasetOptions {
  /** A built-in kind, or the path of a plugin file (.ts/.js/.mjs/.mts). */
  kind: 'openqa' | 'longalpaca' | 'line_by_line' | 'sharegpt' | 'jsonl' | 'random' | 'shared_prefix' | (string & {});
  /** The data file (file kinds; plugins receive it resolved). */
  path?: string;
  /** Folder relative paths resolve against (default: the current directory). */
  baseDir?: string;
  tokenizer?: Tokenizer;
  /** Length filter for file datasets and plugins (inclusive); for random, the range lengths are drawn from. */
  minPromptLength?: number;
  maxPromptLength?: number;
  /** random: tokens of a prefix shared by every prompt (not counted in the drawn length, as evalscope). */
  prefixLength?: number;
  /** random: how many prompts (default 1000). */
  number?: number;
  /** random / shared_prefix: the seed (default 0); the same seed gives the same prompts. */
  seed?: number;
  /** shared_prefix: groups × promptsPerGroup prompts; each group shares a system prompt of prefixTokens
   *  tokens, then a unique question of suffixTokens tokens (defaults as SGLang's generated-shared-prefix:
   *  64 groups × 16 prompts, 2048 + 128 tokens). */
  groups?: number;
  promptsPerGroup?: number;
  prefixTokens?: number;
  suffixTokens?: number;
  /** jsonl: which field holds the prompt (default "prompt"; dotted paths work). */
  field?: string;
  /** line_by_line: parse JSON lines (default true); false sends every line as text (evalscope <= 1.6). */
  jsonLines?: boolean;
  /** Extra options handed to a plugin as they are (ctx.options.options). */
  options?: Record<string, unknown>;
}
