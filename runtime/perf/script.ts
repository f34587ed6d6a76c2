/**
 * Generates the llmperf script one `llmperf perf` run executes: a real script (llmperf/llm,
 * llmperf/data) that `llmperf run` can also run on its own. Pure: returns the source.
 *
 * Request body, as evalscope builds it: the query template (if any) with "{model}" / "{prompt}"
 * (and "{max_tokens}"-style placeholders) filled in, or the dataset item's messages / prompt;
 * then the defaults for keys still missing (max_tokens 2048, temperature 0), then every request flag
 * given on the command line, then --extra-args. A dataset item that is a whole request body (a JSON
 * object line of line_by_line, an image dataset's message, a trace record) keeps its own fields: the
 * rest only fills what it lacks (evalscope 1.7+). Embeddings, rerank and the Responses API build
 * their bodies as evalscope's plugins do (script-source.ts).
 *
 * The script is strict TypeScript: it type-checks under the tsconfig `llmperf new` writes, so that
 * it can serve as a starting point (test/cli-dx/editor.test.ts).
 *
 * Three shapes of default function: one request per iteration; one conversation per iteration
 * (--multi-turn); one trace record per iteration (workload_trace, on the replay executor).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { DatasetOptions } from '../datasets/index.ts';
import { isPluginSpec } from '../llm/registry.ts';
import { apiKind, DEFAULT_MAX_PROMPT_LENGTH, FILE_DATASETS, MULTI_TURN_DATASETS, PERF_TREND_STATS, REQUEST_DEFAULTS, scheduleSeed, SYNTHETIC_DATASETS, UNFILTERED_DATASETS, type PerfOptions } from './config.ts';
import { redactUrl } from '../secrets.ts';
import { BODY_FUNCTIONS, MULTI_TURN_MAIN, SINGLE_MAIN, TRACE_MAIN } from './script-source.ts';

export type PerfEndpoint = 'chat' | 'completions';

export interface ScriptInput {
  o: PerfOptions;
  /** options.scenarios.perf */
  scenario: Record<string, unknown>;
  /** the target as the run uses it (already resolved; undefined never happens here) */
  url: string;
  /** the API name the run's options.llm.api carries */
  api: string;
  endpoint: PerfEndpoint;
  /** the prompt text of --prompt (already read from @file) */
  prompt?: string;
  /** the query template object (already parsed from JSON / @file) */
  template?: Record<string, unknown>;
  /** index of the first dataset item this run uses (--dataset-offset + warmup requests) */
  offset: number;
  /** the command line, for the header comment (secrets already removed) */
  commandLine: string;
  /** folder relative paths resolve against */
  baseDir: string;
}

/** The request parameters given as flags (snake_case body keys), in evalscope's names. */
export function requestParams(o: PerfOptions): Record<string, unknown> {
  const p: Record<string, unknown> = {};
  const set = (k: string, v: unknown) => {
    if (v !== undefined) p[k] = v;
  };
  if (typeof o.maxTokens === 'number') p.max_tokens = o.maxTokens;
  set('min_tokens', o.minTokens);
  set('frequency_penalty', o.frequencyPenalty);
  set('repetition_penalty', o.repetitionPenalty);
  set('logprobs', o.logprobs);
  set('n', o.nChoices);
  set('seed', o.seed);
  if (o.stop?.length) p.stop = o.stop;
  if (o.stopTokenIds?.length) p.stop_token_ids = o.stopTokenIds;
  set('temperature', o.temperature);
  set('top_p', o.topP);
  set('top_k', o.topK);
  p.stream = o.stream;
  return p;
}

/** Options of `dataset(kind, opts)` in a script: DatasetOptions, with the tokenizer given as a spec. */
export type ScriptDatasetArgs = Partial<Omit<DatasetOptions, 'tokenizer'>> & { tokenizer?: string };

/** --dataset-args keys llmperf reads (workload_trace's), by evalscope's name. */
const TRACE_ARGS = { speed: 'speed', model_override: 'modelOverride', model_mapping: 'modelMapping', match_output_length: 'matchOutputLength' } as const;

/** The dataset call (kind and options) for the run, or null with --prompt. `total`: requests the dataset has to cover (synthetic kinds). */
export function datasetArgs(o: PerfOptions, baseDir: string, total?: number, endpoint?: PerfEndpoint): { kind: string; args: ScriptDatasetArgs } | null {
  if (o.prompt !== undefined) return null;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const args: ScriptDatasetArgs = {};
  const isFile = FILE_DATASETS.includes(o.dataset);
  const isPlugin = isPluginSpec(o.dataset);
  if (o.datasetPath !== undefined) args.path = abs(o.datasetPath);
  // a local path becomes absolute (the script runs from its own folder); tiktoken: specs and hub ids
  // that are not local paths stay as given (hub ids are looked up in the local hub caches)
  if (o.tokenizerPath !== undefined) args.tokenizer = o.tokenizerPath.startsWith('tiktoken:') || !existsSync(abs(o.tokenizerPath)) ? o.tokenizerPath : abs(o.tokenizerPath);
  if (SYNTHETIC_DATASETS.includes(o.dataset)) {
    // synthetic: the limits are the range lengths are drawn from
    if (o.minPromptLength !== undefined) args.minPromptLength = o.minPromptLength;
    if (o.maxPromptLength !== undefined) args.maxPromptLength = o.maxPromptLength;
    if (o.prefixLength) args.prefixLength = o.prefixLength;
    if (o.seed !== undefined || o.drawnSeed !== undefined) args.seed = scheduleSeed(o);
    // evalscope makes as many as the run sends (warm-up included); so does llmperf
    if (o.dataset !== 'shared_prefix' && total !== undefined) args.number = Math.max(1, total);
  } else if (isFile || isPlugin || !UNFILTERED_DATASETS.includes(o.dataset)) {
    if (!UNFILTERED_DATASETS.includes(o.dataset)) {
      args.maxPromptLength = o.maxPromptLength ?? DEFAULT_MAX_PROMPT_LENGTH;
      if (o.minPromptLength) args.minPromptLength = o.minPromptLength;
    }
    // evalscope <= 1.6 sends every line of a line_by_line file as text; 1.7+ reads JSON lines
    if (o.dataset === 'line_by_line' && o.evalscopeVersion === '1.6') args.jsonLines = false;
  }
  if (o.dataset === 'flickr8k' || o.dataset === 'kontext_bench') {
    if (total !== undefined) args.number = Math.max(1, total);
  }
  if (o.dataset === 'random_vl') {
    if (o.imageWidth !== undefined) args.imageWidth = o.imageWidth;
    if (o.imageHeight !== undefined) args.imageHeight = o.imageHeight;
    if (o.imageFormat !== undefined) args.imageFormat = o.imageFormat;
    if (o.imageNum !== undefined) args.imageNum = o.imageNum;
  }
  if (MULTI_TURN_DATASETS.includes(o.dataset)) {
    if (o.maxTurns !== undefined) args.maxTurns = o.maxTurns;
    if (o.minTurns !== undefined) args.minTurns = o.minTurns;
  }
  // evalscope reads these dataset settings from --extra-args (and sends them in the body too)
  const x = o.extraArgs ?? {};
  if (/^(random_)?embedding_batch$/.test(o.dataset) && typeof x.batch_size === 'number') args.batchSize = x.batch_size;
  if (o.dataset === 'random_rerank') {
    if (typeof x.num_documents === 'number') args.numDocuments = x.num_documents;
    if (typeof x.document_length_ratio === 'number') args.documentLengthRatio = x.document_length_ratio;
  }
  const d = o.datasetArgs ?? {};
  if (o.dataset === 'workload_trace') {
    for (const [k, key] of Object.entries(TRACE_ARGS)) if (d[k] !== undefined && d[k] !== null) (args as Record<string, unknown>)[key] = d[k];
  }
  if (typeof d.target_input_len === 'number') {
    // evalscope's length control replaces the length filter
    delete args.minPromptLength;
    delete args.maxPromptLength;
    args.targetInputLen = d.target_input_len;
    if (d.input_len_mode !== undefined) args.inputLenMode = d.input_len_mode as 'cap' | 'drop';
    if (typeof d.prefix_file === 'string') args.prefixFile = abs(d.prefix_file);
    // without a chat template (a completions prompt) a system prefix falls back to the text's front, as in evalscope
    const role = d.prefix_role === 'user' || endpoint === 'completions' ? 'user' : 'system';
    if (args.prefixFile) args.prefixRole = role;
  }
  if (o.tokenizePrompt && !o.multiTurn && apiKind(o.api) === 'generate') args.tokenizePrompt = true;
  const kind = isPlugin ? abs(o.dataset) : o.dataset;
  return { kind, args };
}

const j = (v: unknown): string => JSON.stringify(v, null, 2);

export interface ScriptShape {
  /** requests the dataset must cover: --number + warmup (synthetic and image kinds make that many) */
  total?: number;
  /** --rate with --multi-turn: a Poisson pause before each turn, mean 1/rate s (0: none) */
  turnRate?: number;
}

export function generateScript(s: ScriptInput & ScriptShape): string {
  const { o } = s;
  const ds = datasetArgs(o, s.baseDir, s.total, s.endpoint);
  const options = {
    scenarios: { perf: s.scenario },
    llm: { url: redactUrl(s.url), ...(o.model !== undefined ? { model: o.model } : {}), api: s.api, ...(o.tokenizerPath ? { tokenizer: ds?.args.tokenizer ?? o.tokenizerPath } : {}) },
    summaryTrendStats: PERF_TREND_STATS,
  };
  const defaults: Record<string, unknown> = { ...REQUEST_DEFAULTS };
  const mode = o.dataset === 'workload_trace' && o.prompt === undefined ? 'trace' : o.multiTurn ? 'multi-turn' : 'single';
  const lines = [
    '// Generated by `llmperf perf`: evalscope perf\'s command line, run by the llmperf engine.',
    `// ${s.commandLine.replace(/\n/g, ' ')}`,
    '// Run it again on its own with `llmperf run <this file>` (give --api-key / --header again: secrets are not written here).',
    "import llm from 'llmperf/llm';",
    ...(mode === 'multi-turn' ? ["import { sleep } from 'llmperf';"] : []),
    "import type { ChatParams, CompletionParams, EmbedParams, LlmResult, RequestOptions, RerankParams, ResponsesParams } from 'llmperf/llm';",
    "import { dataset } from 'llmperf/data';",
    "import type { ChatMessage, Dataset, DatasetItem } from 'llmperf/data';",
    "import exec from 'llmperf/execution';",
    "import { Trend } from 'llmperf/metrics';",
    "import type { Options } from 'llmperf/options';",
    '',
    `export const options: Options = ${j(options)};`,
    '',
    '/** A request body: any JSON fields (a template, a dataset body and the flags may set any of them). */',
    'type Body = Record<string, any>;',
    '',
    ds ? `const data = dataset(${JSON.stringify(ds.kind)}, ${j(ds.args)});` : 'const data = null as Dataset | null;',
    `const PROMPT: string | null = ${JSON.stringify(s.prompt ?? null)};`,
    `const API = ${JSON.stringify(apiKind(o.api))} as 'generate' | 'embed' | 'rerank' | 'responses';`,
    `const ENDPOINT = ${JSON.stringify(s.endpoint)} as 'chat' | 'completions';`,
    `const MODEL: string | null = ${JSON.stringify(o.model ?? null)};`,
    `const TEMPLATE: Body | null = ${j(s.template ?? null)};`,
    `const DEFAULTS: Body = ${j(defaults)};`,
    `const PARAMS: Body = ${j(requestParams(o))};`,
    `const MAX_TOKENS_RANGE: [number, number] | null = ${JSON.stringify(Array.isArray(o.maxTokens) ? o.maxTokens : null)};`,
    `const EXTRA: Body = ${j(o.extraArgs ?? {})};`,
    `const OFFSET = ${s.offset};`,
    ...(mode === 'multi-turn' ? [`const MAX_TURNS: number | null = ${JSON.stringify(o.maxTurns ?? null)};`, `const TURN_RATE = ${s.turnRate ?? 0};`] : []),
    ...(mode === 'trace'
      ? [`const CLI_HEADERS: string[] = ${JSON.stringify(Object.keys(o.headers).map((k) => k.toLowerCase()))};`, `const HAS_KEY = ${o.apiKey !== undefined};`]
      : []),
    '',
    "// evalscope's per-request Output (tok/s) and Total (tok/s): tokens over the whole request latency.",
    "const outputTps = new Trend('perf_output_tps');",
    "const totalTps = new Trend('perf_total_tps');",
    '',
    BODY_FUNCTIONS,
    mode === 'trace' ? TRACE_MAIN : mode === 'multi-turn' ? MULTI_TURN_MAIN : SINGLE_MAIN,
  ];
  return lines.join('\n');
}
