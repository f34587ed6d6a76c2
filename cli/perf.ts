/**
 * `llmperf perf`: evalscope perf's command line (same flags, same meaning), run by the llmperf
 * engine through a generated script. Parsing only; the work is runtime/perf/run.ts.
 */
import type { Argv, CommandModule } from 'yargs';
import { ConfigError } from '../runtime/errors.ts';
import type { PerfOptions } from '../runtime/perf/config.ts';
import { runPerf } from '../runtime/perf/run.ts';
import { errorExit } from '../runtime/api.ts';
import { failGracefully, installSignals, mockOptionsFromArgs, parseKeyValues } from './common.ts';
import { dashboardFlags, startDashboard, type DashboardArgs } from './dashboard.ts';
import { finishDashboard } from './sweep.ts';
import { commandLine, evalscopeExtra, lastOccurrence, perfFlagsBuilder, perfNotes, redactPerfArgv } from './perf-flags.ts';
import { EVALSCOPE_FORMATS, type EvalscopeFormat } from '../runtime/summary/evalscope.ts';

type Args = Record<string, unknown> & { _: Array<string | number> };

const num = (describe: string) => ({ type: 'number' as const, describe });
const str = (describe: string) => ({ type: 'string' as const, describe });
const nums = (describe: string) => ({ type: 'number' as const, array: true as const, describe });
const G = {
  target: 'Model and API (evalscope perf flags):',
  load: 'Load:',
  prompt: 'Prompts and dataset:',
  request: 'Request parameters (sent only when given, except max_tokens 2048 and temperature 0):',
  out: 'Output:',
};

export function perfBuilder(y: Argv): Argv {
  return y
    .option('model', { ...str('model name sent in requests'), group: G.target })
    .option('url', { ...str('request URL, e.g. http://127.0.0.1:8000/v1/chat/completions (a base URL gets the endpoint path of --api; default: the built-in mock)'), group: G.target })
    .option('api', { ...str('openai, openai_responses, openai_embedding, openai_rerank, dashscope, or the path of an API plugin (.ts)'), default: 'openai', group: G.target })
    .option('api-key', { ...str('API key, sent as Authorization: Bearer (never written to files)'), group: G.target })
    .option('headers', { type: 'string', array: true, describe: 'extra HTTP headers: key1=value1 key2=value2', group: G.target })
    .option('connect-timeout', { ...num('connection timeout, seconds (default 600)'), group: G.target })
    .option('read-timeout', { ...num('max seconds without a byte from the server (default 600)'), group: G.target })
    .option('total-timeout', { ...num('max seconds for one request (default 21600)'), group: G.target })
    .option('test-connection', { type: 'boolean', default: true, describe: 'probe the URL before the test (--no-test-connection to skip)', group: G.target })
    .option('tokenizer-path', { ...str('folder with tokenizer.json (or tiktoken:o200k_base): prompt-length filter, random prompts, token counts without usage'), group: G.target })
    .option('number', { alias: 'n', ...nums('requests per run; several values run one after another (default 1000)'), group: G.load })
    .option('parallel', { ...nums('concurrent requests; several values are paired with --number by position (default 1)'), group: G.load })
    .option('rate', { ...nums('requests per second, Poisson arrivals (-1: all at once, capped by --parallel)'), group: G.load })
    .option('open-loop', { type: 'boolean', default: false, describe: 'with --rate: no concurrency cap (--parallel ignored)', group: G.load })
    .option('duration', { ...num('stop starting requests after this many seconds; in-flight ones finish'), group: G.load })
    .option('warmup-num', { ...num('warmup requests before each run, not counted (a share of --number when below 1)'), default: 0, group: G.load })
    .option('multi-turn', { type: 'boolean', default: false, describe: 'conversations: --number of them, --parallel at once; each turn carries the history and the real answers', group: G.load })
    .option('min-turns', { ...num('fewest user turns of a random_multi_turn conversation (default 1)'), group: G.load })
    .option('max-turns', { ...num('most user turns of a conversation (random_multi_turn: required; others: cut there)'), group: G.load })
    .option('multi-turn-args', { ...str('deprecated: JSON folded into --dataset-args'), group: G.load })
    .option('sla-auto-tune', { type: 'boolean', default: false, describe: 'search the largest --parallel (or --rate) that meets --sla-params', group: G.load })
    .option('sla-variable', { type: 'string', choices: ['parallel', 'rate'], default: 'parallel', describe: 'what the SLA search tunes', group: G.load })
    .option('sla-params', { ...str('SLA criteria, JSON: [{"p99_latency": "<=2"}] (AND within an object, each object searched on its own), or [{"tps": "max"}]'), group: G.load })
    .option('sla-num-runs', { ...num('runs per tested value, averaged (default 3)'), group: G.load })
    .option('sla-upper-bound', { ...num('largest value tried (default 65536)'), group: G.load })
    .option('sla-lower-bound', { ...num('smallest value tried (default 1)'), group: G.load })
    .option('sla-fixed-parallel', { ...num('--parallel of --sla-variable rate runs (default: --sla-upper-bound)'), group: G.load })
    .option('sla-number-multiplier', { ...num('requests per run = round(value × this) (default 2)'), group: G.load })
    .option('sleep-interval', { ...num('seconds between the runs of a sweep'), default: 5, group: G.load })
    .option('log-every-n-query', { ...num('a progress line every N requests (0: none)'), default: 10, group: G.load })
    .option('prompt', { ...str('the prompt of every request: text, or @path/to/file'), group: G.prompt })
    .option('query-template', { ...str('request body template: JSON or @file, with "{model}" / "{prompt}" placeholders'), group: G.prompt })
    .option('apply-chat-template', { type: 'boolean', describe: 'send messages (chat) rather than a prompt string (default: from the URL)', group: G.prompt })
    .option('dataset', { ...str('openqa, longalpaca, line_by_line, custom, share_gpt_zh/_en, speed_benchmark(_long), random, random_vl, flickr8k, kontext_bench, embedding(_batch), random_embedding(_batch), rerank, random_rerank, *_multi_turn, swe_smith, workload_trace, sharegpt, jsonl, shared_prefix, or a plugin path'), default: 'openqa', group: G.prompt })
    .option('dataset-path', { ...str('the dataset file (or folder: flickr8k, kontext_bench)'), group: G.prompt })
    .option('dataset-args', { ...str('per-dataset options, JSON, e.g. \'{"speed": 2.0}\' (workload_trace)'), group: G.prompt })
    .option('data-source', { type: 'string', choices: ['modelscope', 'huggingface', 'local'], describe: 'accepted: llmperf always reads the local copy', group: G.prompt })
    .option('image-width', { ...num('random_vl: image width (default 224)'), group: G.prompt })
    .option('image-height', { ...num('random_vl: image height (default 224)'), group: G.prompt })
    .option('image-format', { ...str('random_vl: RGB (default), RGBA, L, LA'), group: G.prompt })
    .option('image-num', { ...num('random_vl: images per request (default 1)'), group: G.prompt })
    .option('image-patch-size', { ...num('accepted, no effect (local image token counts)'), group: G.prompt })
    .option('tokenize-prompt', { type: 'boolean', default: false, describe: 'send the prompt as token ids to /v1/completions (needs --tokenizer-path)', group: G.prompt })
    .option('dataset-offset', { ...num('skip this many dataset items'), default: 0, group: G.prompt })
    .option('max-prompt-length', { ...num('drop prompts longer than this (tokens with --tokenizer-path, else characters; default 131072)'), group: G.prompt })
    .option('min-prompt-length', { ...num('drop prompts shorter than this'), group: G.prompt })
    .option('prefix-length', { ...num('random dataset: shared prefix length, tokens'), group: G.prompt })
    .option('max-tokens', { ...nums('max_tokens (default 2048); two values min max: drawn per request'), group: G.request })
    .option('min-tokens', { ...num('min_tokens'), group: G.request })
    .option('temperature', { ...num('temperature (default 0)'), group: G.request })
    .option('top-p', { ...num('top_p'), group: G.request })
    .option('top-k', { ...num('top_k'), group: G.request })
    .option('frequency-penalty', { ...num('frequency_penalty'), group: G.request })
    .option('repetition-penalty', { ...num('repetition_penalty'), group: G.request })
    .option('logprobs', { type: 'boolean', describe: 'logprobs', group: G.request })
    .option('n-choices', { ...num('n'), group: G.request })
    .option('seed', { ...num('seed (also of random prompts and Poisson arrivals)'), group: G.request })
    .option('stop', { type: 'string', array: true, describe: 'stop sequences', group: G.request })
    .option('stop-token-ids', { ...nums('stop_token_ids'), group: G.request })
    .option('stream', { type: 'boolean', default: true, describe: "stream with SSE (--no-stream: one JSON body; evalscope's files then hold TTFT = the whole latency, TPOT 0)", group: G.request })
    .option('extra-args', { ...str('JSON object merged into every request body, e.g. \'{"ignore_eos": true}\''), group: G.request })
    .option('name', { ...str('name of the results folder (default: the model name)'), group: G.out })
    .option('outputs-dir', { ...str('where results are written'), default: 'outputs', group: G.out })
    .option('timestamp', { type: 'boolean', default: true, describe: 'a timestamp folder under --outputs-dir (--no-timestamp to skip)', group: G.out })
    .option('visualizer', { ...str('log the run to wandb (key: --wandb-api-key or WANDB_API_KEY; WANDB_PROJECT, WANDB_ENTITY, WANDB_BASE_URL); swanlab, clearml: nothing is sent'), group: G.out })
    .option('wandb-api-key', { ...str('W&B API key (implies --visualizer wandb; never written to files)'), group: G.out })
    .option('swanlab-api-key', { ...str('accepted; nothing is sent to SwanLab'), group: G.out })
    .option('swanlab-host', { ...str('accepted; nothing is sent to SwanLab'), group: G.out })
    .option('evalscope-version', { ...str(`file layout of the evalscope release to match: ${EVALSCOPE_FORMATS.join(' or ')} (keys, units, percentile rows)`), default: '1.10', group: G.out })
    .option('out', { type: 'string', array: true, describe: 'llmperf outputs streamed during each run: prometheus-rw=URL, json=file, csv=file, wandb[=project]', group: G.out })
    .option('debug', { type: 'boolean', default: false, describe: 'print every request and response (secrets redacted) and the generated script path', group: G.out })
    .option('io-threads', { ...num('threads that send the requests and timestamp the responses (default: half the cores, 1 to 8; 0: the main thread). More for many thousands of streams or when a WARN says the I/O thread was busy'), group: G.out })
    .option('mock', { type: 'string', array: true, describe: 'options of the built-in mock when no --url is given, e.g. --mock ttft=200ms', group: G.out })
    .example('$0 perf --url http://127.0.0.1:8000/v1/chat/completions --model qwen --parallel 10 -n 100 --dataset openqa --dataset-path open_qa.jsonl', 'evalscope perf command lines run unchanged')
    .example('$0 perf --model test --parallel 1 2 --number 4 8', 'a sweep against the built-in mock')
    .example('$0 perf --model qwen-plus --api dashscope --url https://dashscope.aliyuncs.com/api/v1 --api-key $KEY --prompt hello -n 20', 'DashScope native API') as Argv;
}

function list(v: unknown): number[] | undefined {
  return Array.isArray(v) ? (v as number[]) : v === undefined ? undefined : [v as number];
}

function jsonObject(v: unknown, flag: string): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(v));
  } catch (e) {
    throw new ConfigError(`${flag}: not valid JSON (${(e as Error).message}); write e.g. '{"ignore_eos": true}'`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`${flag} must be a JSON object`);
  return parsed as Record<string, unknown>;
}

function checkNumbers(a: Args): void {
  for (const [k, v] of Object.entries(a)) {
    if (typeof v === 'number' && Number.isNaN(v)) throw new ConfigError(`--${k}: not a number`);
    if (Array.isArray(v) && v.some((x) => typeof x === 'number' && Number.isNaN(x))) throw new ConfigError(`--${k}: every value must be a number`);
  }
}

/** evalscope's flags that take several values (argparse nargs='+' / '*'), with their aliases. */
const LIST_FLAGS: Record<string, string[]> = { number: ['number', 'n'], parallel: ['parallel'], rate: ['rate'], headers: ['headers'], stop: ['stop'], 'stop-token-ids': ['stop-token-ids'], 'max-tokens': ['max-tokens'] };
/** llmperf's own flags meant to be repeated. */
const REPEATABLE = new Set(['_', '$0', 'out', 'mock']);

/**
 * argparse's rule for a flag given twice: the last occurrence wins (`--max-tokens 8 --max-tokens 16`
 * sends 16; `--parallel 1 2 --parallel 4` runs 4), where yargs joins the occurrences into one array.
 * `raw`: the command line (without it, list flags keep every value).
 */
export function argparseLastWins(a: Args, raw?: readonly string[]): Args {
  const out: Args = { ...a };
  for (const [k, v] of Object.entries(a)) {
    if (REPEATABLE.has(k) || !Array.isArray(v)) continue;
    const names = LIST_FLAGS[k];
    if (names) out[k] = raw ? lastOccurrence(raw, names, v, true) : v;
    else out[k] = v[v.length - 1];
  }
  return out;
}

export function perfOptionsFrom(argsIn: Args, raw?: readonly string[]): PerfOptions {
  const a = argparseLastWins(argsIn, raw);
  checkNumbers(a);
  const o: PerfOptions = {
    model: a.model as string,
    api: a.api as string,
    headers: parseKeyValues(a.headers, '--headers'),
    testConnection: a['test-connection'] as boolean,
    number: list(a.number) ?? [1000],
    numberGiven: a.number !== undefined,
    parallel: list(a.parallel) ?? [1],
    rate: list(a.rate) ?? [-1],
    openLoop: a['open-loop'] as boolean,
    warmupNum: a['warmup-num'] as number,
    sleepInterval: a['sleep-interval'] as number,
    logEveryNQuery: a['log-every-n-query'] as number,
    debug: a.debug as boolean,
    ...(a['io-threads'] !== undefined ? { ioThreads: a['io-threads'] as number } : {}),
    dataset: a.dataset as string,
    datasetOffset: a['dataset-offset'] as number,
    stream: a.stream as boolean,
    outputsDir: a['outputs-dir'] as string,
    noTimestamp: a.timestamp === false,
  };
  const opt = <K extends keyof PerfOptions>(key: K, flag: string) => {
    if (a[flag] !== undefined) o[key] = a[flag] as PerfOptions[K];
  };
  opt('url', 'url');
  opt('apiKey', 'api-key');
  opt('connectTimeout', 'connect-timeout');
  opt('readTimeout', 'read-timeout');
  opt('totalTimeout', 'total-timeout');
  opt('duration', 'duration');
  opt('name', 'name');
  opt('tokenizerPath', 'tokenizer-path');
  opt('maxPromptLength', 'max-prompt-length');
  opt('minPromptLength', 'min-prompt-length');
  opt('prefixLength', 'prefix-length');
  opt('prompt', 'prompt');
  opt('queryTemplate', 'query-template');
  opt('applyChatTemplate', 'apply-chat-template');
  opt('datasetPath', 'dataset-path');
  opt('frequencyPenalty', 'frequency-penalty');
  opt('repetitionPenalty', 'repetition-penalty');
  opt('logprobs', 'logprobs');
  const maxTokens = list(a['max-tokens']);
  if (maxTokens) {
    if (maxTokens.length > 2) throw new ConfigError(`--max-tokens takes 1 value or 2 (min max), got ${maxTokens.length}`);
    o.maxTokens = maxTokens.length === 2 ? [maxTokens[0]!, maxTokens[1]!] : maxTokens[0]!;
  }
  opt('imageWidth', 'image-width');
  opt('imageHeight', 'image-height');
  opt('imageFormat', 'image-format');
  opt('imageNum', 'image-num');
  opt('imagePatchSize', 'image-patch-size');
  opt('minTurns', 'min-turns');
  opt('maxTurns', 'max-turns');
  opt('dataSource', 'data-source');
  if (a['multi-turn']) o.multiTurn = true;
  if (a['tokenize-prompt']) o.tokenizePrompt = true;
  const legacy = jsonObject(a['multi-turn-args'], '--multi-turn-args');
  const datasetArgs = jsonObject(a['dataset-args'], '--dataset-args');
  if (legacy || datasetArgs) o.datasetArgs = { ...(legacy ?? {}), ...(datasetArgs ?? {}) };
  if (a['sla-auto-tune']) o.sla = slaOptions(a);
  opt('minTokens', 'min-tokens');
  opt('nChoices', 'n-choices');
  opt('seed', 'seed');
  opt('temperature', 'temperature');
  opt('topP', 'top-p');
  opt('topK', 'top-k');
  opt('visualizer', 'visualizer');
  opt('wandbApiKey', 'wandb-api-key');
  opt('swanlabApiKey', 'swanlab-api-key');
  opt('swanlabHost', 'swanlab-host');
  const format = String(a['evalscope-version'] ?? '1.10');
  if (!(EVALSCOPE_FORMATS as readonly string[]).includes(format)) throw new ConfigError(`--evalscope-version ${format}: use ${EVALSCOPE_FORMATS.join(' (the current release) or ')} (evalscope up to 1.6)`);
  o.evalscopeVersion = format as EvalscopeFormat;
  const extra = evalscopeExtra(a);
  if (Object.keys(extra).length) o.evalscopeExtra = extra;
  if (Array.isArray(a.stop)) o.stop = (a.stop as unknown[]).map(String);
  const ids = list(a['stop-token-ids']);
  if (ids) o.stopTokenIds = ids;
  const extraArgs = jsonObject(a['extra-args'], '--extra-args');
  if (extraArgs) o.extraArgs = extraArgs;
  if (Array.isArray(a.out) && a.out.length) o.out = (a.out as unknown[]).map(String);
  if (Array.isArray(a.mock) && a.mock.length) {
    o.mockOptions = mockOptionsFromArgs(a.mock);
  }
  return o;
}

/** --sla-* as the tuner takes them (runtime/perf/sla.ts checks the criteria). */
function slaOptions(a: Args): NonNullable<PerfOptions['sla']> {
  const raw = a['sla-params'];
  if (raw === undefined) throw new ConfigError('--sla-auto-tune needs --sla-params, e.g. \'[{"p99_latency": "<=2"}]\'');
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(raw));
  } catch (e) {
    throw new ConfigError(`--sla-params: not valid JSON (${(e as Error).message}); write e.g. '[{"p99_latency": "<=2"}]'`);
  }
  const groups = (Array.isArray(parsed) ? parsed : [parsed]).filter((g): g is Record<string, unknown> => !!g && typeof g === 'object' && !Array.isArray(g));
  if (!groups.length) throw new ConfigError('--sla-params: give a JSON object or a list of objects, e.g. \'[{"p99_latency": "<=2"}]\'');
  const sla: NonNullable<PerfOptions['sla']> = {
    variable: (a['sla-variable'] as 'parallel' | 'rate' | undefined) ?? 'parallel',
    params: groups.map((g) => Object.fromEntries(Object.entries(g).map(([k, v]) => [k, String(v)]))),
    numRuns: (a['sla-num-runs'] as number | undefined) ?? 3,
    upperBound: (a['sla-upper-bound'] as number | undefined) ?? 65536,
    lowerBound: (a['sla-lower-bound'] as number | undefined) ?? 1,
  };
  if (a['sla-fixed-parallel'] !== undefined) sla.fixedParallel = a['sla-fixed-parallel'] as number;
  if (a['sla-number-multiplier'] !== undefined) sla.numberMultiplier = a['sla-number-multiplier'] as number;
  return sla;
}

export const perfCommand: CommandModule = {
  command: 'perf',
  describe: "evalscope perf's command line on the llmperf engine (same flags, same tables)",
  // perfFlagsBuilder adds the evalscope flags llmperf answers with a note or refuses with a reason
  builder: (y) => perfFlagsBuilder(dashboardFlags(perfBuilder(y))),
  handler: async (argv) => {
    const a = argv as unknown as Args;
    const log = (l: string) => process.stderr.write(l + '\n');
    const sig = installSignals(log);
    let dash: Awaited<ReturnType<typeof startDashboard>>;
    try {
      for (const note of perfNotes(a)) log(note);
      const o = perfOptionsFrom(a, process.argv.slice(2));
      dash = await startDashboard(a as DashboardArgs, 'perf', `llmperf perf — ${o.model}`, log);
      const outcome = await runPerf(o, {
        ...(dash ? { dashboard: dash } : {}),
        log,
        out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
        signal: sig.graceful.signal,
        hardSignal: sig.hard.signal,
        commandLine: commandLine(process.argv.slice(2)),
        argv: redactPerfArgv(process.argv.slice(2)),
      });
      await finishDashboard(dash, outcome.exitCode, null, log);
      sig.dispose();
      process.exitCode = outcome.exitCode;
    } catch (e) {
      await finishDashboard(dash, errorExit(e).exitCode, errorExit(e).message.split('\n')[0]!, log).catch(() => undefined);
      failGracefully(e);
    }
  },
};
