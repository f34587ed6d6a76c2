/**
 * Generates the llmperf script one `llmperf perf` run executes: a real script (llmperf/llm,
 * llmperf/data) that `llmperf run` can also run on its own. Pure: returns the source.
 *
 * Request body, as evalscope builds it: the query template (if any) with "{model}" / "{prompt}"
 * (and "{max_tokens}"-style placeholders) filled in, or the dataset item's messages / prompt;
 * then the defaults for keys still missing (max_tokens 2048, temperature 0), then every request flag
 * given on the command line, then --extra-args. A dataset item that is a whole request body (a JSON
 * object line of line_by_line) keeps its own fields: the rest only fills what it lacks (evalscope 1.7+).
 *
 * The script is strict TypeScript: it type-checks under the tsconfig `llmperf new` writes, so that
 * it can serve as a starting point (test/cli-dx/editor.test.ts).
 */
import { isAbsolute, resolve } from 'node:path';
import type { DatasetOptions } from '../datasets/index.ts';
import { isPluginSpec } from '../llm/registry.ts';
import { DEFAULT_MAX_PROMPT_LENGTH, FILE_DATASETS, PERF_TREND_STATS, REQUEST_DEFAULTS, scheduleSeed, type PerfOptions } from './config.ts';

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
  set('max_tokens', o.maxTokens);
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

/** The dataset call (kind and options) for the run, or null with --prompt. */
/** Options of `dataset(kind, opts)` in a script: DatasetOptions, with the tokenizer given as a spec. */
export type ScriptDatasetArgs = Partial<Omit<DatasetOptions, 'tokenizer'>> & { tokenizer?: string };

export function datasetArgs(o: PerfOptions, baseDir: string): { kind: string; args: ScriptDatasetArgs } | null {
  if (o.prompt !== undefined) return null;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const args: ScriptDatasetArgs = {};
  const isFile = FILE_DATASETS.includes(o.dataset);
  const isPlugin = isPluginSpec(o.dataset);
  if (o.datasetPath !== undefined) args.path = abs(o.datasetPath);
  if (o.tokenizerPath !== undefined) args.tokenizer = o.tokenizerPath.startsWith('tiktoken:') ? o.tokenizerPath : abs(o.tokenizerPath);
  if (isFile || isPlugin || !['random', 'shared_prefix'].includes(o.dataset)) {
    args.maxPromptLength = o.maxPromptLength ?? DEFAULT_MAX_PROMPT_LENGTH;
    if (o.minPromptLength) args.minPromptLength = o.minPromptLength;
    // evalscope <= 1.6 sends every line of a line_by_line file as text; 1.7+ reads JSON lines
    if (['line_by_line', 'custom'].includes(o.dataset) && o.evalscopeVersion === '1.6') args.jsonLines = false;
  } else {
    // synthetic: the limits are the range lengths are drawn from
    if (o.minPromptLength !== undefined) args.minPromptLength = o.minPromptLength;
    if (o.maxPromptLength !== undefined) args.maxPromptLength = o.maxPromptLength;
    if (o.prefixLength) args.prefixLength = o.prefixLength;
    if (o.seed !== undefined || o.drawnSeed !== undefined) args.seed = scheduleSeed(o);
  }
  const kind = isPlugin ? abs(o.dataset) : o.dataset;
  return { kind, args };
}

const j = (v: unknown): string => JSON.stringify(v, null, 2);

export function generateScript(s: ScriptInput): string {
  const { o } = s;
  const ds = datasetArgs(o, s.baseDir);
  const options = {
    scenarios: { perf: s.scenario },
    llm: { url: s.url, model: o.model, api: s.api, ...(o.tokenizerPath ? { tokenizer: ds?.args.tokenizer ?? o.tokenizerPath } : {}) },
    summaryTrendStats: PERF_TREND_STATS,
  };
  const defaults: Record<string, unknown> = { ...REQUEST_DEFAULTS };
  const lines = [
    '// Generated by `llmperf perf`: evalscope perf\'s command line, run by the llmperf engine.',
    `// ${s.commandLine.replace(/\n/g, ' ')}`,
    '// Run it again on its own with `llmperf run <this file>` (give --api-key / --header again: secrets are not written here).',
    "import llm from 'llmperf/llm';",
    "import type { ChatParams, CompletionParams } from 'llmperf/llm';",
    "import { dataset } from 'llmperf/data';",
    "import type { Dataset, DatasetItem } from 'llmperf/data';",
    "import exec from 'llmperf/execution';",
    "import { Trend } from 'llmperf/metrics';",
    "import type { Options } from 'llmperf/options';",
    '',
    `export const options: Options = ${j(options)};`,
    '',
    '/** A request body: any JSON fields. */',
    'type Body = Record<string, unknown>;',
    '',
    ds ? `const data = dataset(${JSON.stringify(ds.kind)}, ${j(ds.args)});` : 'const data = null as Dataset | null;',
    `const PROMPT: string | null = ${JSON.stringify(s.prompt ?? null)};`,
    `const ENDPOINT = ${JSON.stringify(s.endpoint)} as 'chat' | 'completions';`,
    `const MODEL = ${JSON.stringify(o.model)};`,
    `const TEMPLATE: Body | null = ${j(s.template ?? null)};`,
    `const DEFAULTS: Body = ${j(defaults)};`,
    `const PARAMS: Body = ${j(requestParams(o))};`,
    `const EXTRA: Body = ${j(o.extraArgs ?? {})};`,
    `const OFFSET = ${s.offset};`,
    '',
    "// evalscope's per-request Output (tok/s) and Total (tok/s): tokens over the whole request latency.",
    "const outputTps = new Trend('perf_output_tps');",
    "const totalTps = new Trend('perf_total_tps');",
    '',
    BODY_FUNCTIONS,
    'export default async function () {',
    "  const item: DatasetItem = data ? data.get(OFFSET + exec.scenario.iterationInTest) : { prompt: PROMPT ?? '' };",
    '  const b = body(item);',
    "  const res = ENDPOINT === 'completions' && b.input === undefined ? await llm.complete(b as unknown as CompletionParams) : await llm.chat(b as unknown as ChatParams);",
    '  if (res.ok && res.e2e && res.outputTokens !== null) {',
    '    outputTps.add((res.outputTokens * 1000) / res.e2e);',
    '    totalTps.add(((res.outputTokens + (res.inputTokens ?? 0)) * 1000) / res.e2e);',
    '  }',
    '}',
    '',
  ];
  return lines.join('\n');
}

/** The request-building functions placed in every generated script (strict TypeScript). */
const BODY_FUNCTIONS = String.raw`function isObject(v: unknown): v is Body {
  return !!v && typeof v === 'object';
}

function promptOf(item: DatasetItem): string {
  if (typeof item.prompt === 'string') return item.prompt;
  return (item.messages || []).map((m) => String(m.content)).join('\n');
}

function messagesOf(item: DatasetItem): Array<{ role: string; content: unknown }> {
  return item.messages ? item.messages.map((m) => ({ role: m.role, content: m.content })) : [{ role: 'user', content: item.prompt }];
}

// Fills "{model}", "{prompt}" and "{max_tokens}"-style placeholders; a string that is exactly one
// placeholder takes the value's type (a number stays a number).
function fill(v: unknown, vars: Body, seen: Record<string, boolean>): unknown {
  if (typeof v === 'string') {
    const whole = /^\{(\w+)\}$/.exec(v);
    if (whole && vars[whole[1]!] !== undefined) { seen[whole[1]!] = true; return vars[whole[1]!]; }
    return v.replace(/\{(model|prompt)\}/g, (_m: string, k: string) => { seen[k] = true; return String(vars[k]); });
  }
  if (Array.isArray(v)) return v.map((x) => fill(x, vars, seen));
  if (isObject(v)) {
    const out: Body = {};
    for (const k of Object.keys(v)) out[k] = fill(v[k], vars, seen);
    return out;
  }
  return v;
}

function body(item: DatasetItem): Body {
  let b: Body;
  if (TEMPLATE) {
    const seen: Record<string, boolean> = {};
    b = fill(TEMPLATE, Object.assign({}, DEFAULTS, PARAMS, { model: MODEL, prompt: promptOf(item) }), seen) as Body;
    if (!seen.prompt) {
      // no "{prompt}" placeholder: the item replaces the template's messages (evalscope's rule)
      if (isObject(b.input)) b.input.messages = messagesOf(item);
      else if (ENDPOINT === 'completions') b.prompt = promptOf(item);
      else b.messages = messagesOf(item);
    }
  } else if (item.body) {
    // a JSON request body line (evalscope 1.7+): its own fields win; model, defaults, flags and
    // --extra-args only fill what it lacks
    b = Object.assign({}, item.body);
    const native = isObject(b.input);
    const target: Body = native ? (b.parameters = Object.assign({}, b.parameters)) : b;
    if (b.model === undefined) b.model = MODEL;
    for (const src of [DEFAULTS, PARAMS, EXTRA]) for (const k of Object.keys(src)) if (target[k] === undefined) target[k] = src[k];
    if (native && target.stream !== undefined) { b.stream = target.stream; delete target.stream; }
    return b;
  } else {
    b = ENDPOINT === 'completions' ? { prompt: promptOf(item) } : { messages: messagesOf(item) };
  }
  // DashScope's own shape ({input, parameters}): the parameters go under "parameters"
  const native = isObject(b.input);
  const target: Body = native ? (b.parameters = Object.assign({}, b.parameters)) : b;
  b.model = MODEL; // --model always wins, as in evalscope
  for (const k of Object.keys(DEFAULTS)) if (target[k] === undefined) target[k] = DEFAULTS[k];
  Object.assign(target, PARAMS, EXTRA);
  if (native) {
    b.stream = target.stream;
    delete target.stream;
  }
  return b;
}
`;
