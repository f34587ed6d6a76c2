/**
 * The interface a custom dataset plugin implements.
 *
 * A plugin is a .ts or .js file passed where a dataset kind goes (`--dataset ./my-data.ts`, or
 * `kind: './my-data.ts'`). llmperf bundles it with esbuild (platform node, ESM), imports it on the host
 * (never inside a VU) and reads every item once, before the test starts. Its default export is a
 * DatasetPlugin:
 *
 * ```ts
 * import type { DatasetPlugin } from 'llmperf/dataset-plugin';
 *
 * export default {
 *   name: 'tickets',
 *   async *load({ path, readLines }) {
 *     for await (const { text } of readLines(path!)) {
 *       const t = JSON.parse(text);
 *       yield { messages: [{ role: 'system', content: t.policy }, { role: 'user', content: t.body }], outputTokens: 200 };
 *     }
 *   },
 * } satisfies DatasetPlugin;
 * ```
 *
 * The items then go through the same length filter (minPromptLength / maxPromptLength) as the built-in
 * datasets, and the resulting dataset cycles: item i is item i % size.
 */

/** One chat message (OpenAI shape, text content). */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | (string & {});
  content: string;
}

/** One message of a conversation turn: text, or OpenAI content parts (images). */
export interface TurnMessage {
  role: 'system' | 'user' | 'assistant' | 'tool' | (string & {});
  content: string | Array<Record<string, unknown>>;
}

/**
 * One turn of a multi-turn conversation: the messages it adds to the context (usually one user
 * message). The model's real answer to each turn is appended by whoever runs the conversation.
 */
export interface DatasetTurn {
  messages: TurnMessage[];
  /** This turn's output cap (trace replays), else the run's max_tokens. */
  maxTokens?: number;
  /** Seconds to wait before sending the turn (a tool call's latency in an agent trace). */
  toolCallLatency?: number;
}

/**
 * One dataset item. At least one of `prompt`, `messages`, `body` or `turns` is set. A chat request
 * uses `messages` when present, else `[{ role: 'user', content: prompt }]`; a completions request uses
 * `prompt`; `body` is a whole request body sent as is (merged over the run's defaults; image datasets
 * give their multimodal messages this way); `turns` is a whole conversation (multi-turn datasets).
 */
export interface DatasetItem {
  prompt?: string;
  messages?: ChatMessage[];
  body?: Record<string, unknown>;
  /** Hint: the prompt's length in tokens (set by llmperf when it counted them with a tokenizer). */
  inputTokens?: number;
  /** Hint: how many tokens to ask for (e.g. the recorded answer's length). */
  outputTokens?: number;
  /** A multi-turn conversation, turn by turn (multi-turn datasets). */
  turns?: DatasetTurn[];
  /** Per-request HTTP headers recorded with the item (workload traces). */
  headers?: Record<string, string>;
  /** Anything else the item carries (ShareGPT keeps the whole conversation here). JSON values only. */
  meta?: Record<string, unknown>;
}

/** The tokenizer given to the run (--tokenizer-path / the tokenizer option), read-only for plugins. */
export interface PluginTokenizer {
  readonly name: string;
  readonly vocabSize: number;
  encode(text: string): number[];
  decode(ids: number[]): string;
  count(text: string): number;
}

/** One line of a text file, numbered from 1, without its line terminator. */
export interface NumberedLine {
  line: number;
  text: string;
}

export interface DatasetPluginContext {
  /** The dataset path (--dataset-path / `path`), resolved to an absolute path; undefined when not given. */
  readonly path?: string;
  /** The folder relative paths resolve against (the script's or the current directory). */
  readonly baseDir: string;
  /** The run's tokenizer, when one is configured. */
  readonly tokenizer?: PluginTokenizer;
  /** Every dataset option as given (kind, path, number, seed, minPromptLength, custom keys, ...). */
  readonly options: Readonly<Record<string, unknown>>;
  /** Streams the non-empty lines of a text file (UTF-8); relative paths resolve against baseDir. */
  readLines(path: string): AsyncIterable<NumberedLine>;
  /**
   * An error that reports as a configuration error (exit 104) with this message; use it for bad input,
   * e.g. `throw ctx.fail(`${path}:${line}: missing "question"`)`.
   */
  fail(message: string): Error;
}

export interface DatasetPlugin {
  /** Shown in logs and the summary; defaults to the plugin file's name. */
  name?: string;
  /** Produces the items, once. Sync or async, iterable or async iterable, or an array. */
  load(ctx: DatasetPluginContext):
    | Iterable<DatasetItem>
    | AsyncIterable<DatasetItem>
    | Promise<Iterable<DatasetItem> | AsyncIterable<DatasetItem>>;
}
