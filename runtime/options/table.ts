/**
 * The option table: every option that more than one layer can set, declared once with its dotted
 * path in the options object, its key in Overrides (the CLI flags and the programmatic API), its
 * LLMPERF_* environment variable, its command-line flag and help, its default, and how a text value
 * (environment, flag) parses. It drives
 *   - the environment layer (resolve.ts envLayer),
 *   - the CLI / programmatic layer (resolve.ts cliLayer: Overrides -> options),
 *   - the defaults (resolve.ts),
 *   - the flags of `run`, `inspect`, `sweep` and `capacity` and their help (cli/common.ts), and
 *   - reading those flags back into Overrides (cli/common.ts overridesFromArgs).
 * docs/options.md lists the same table; test/cli-dx/option-table.test.ts checks the two agree.
 * Options only a script or a config file sets (scenarios, thresholds, slo, timeouts of the
 * lifecycle functions) are validated in resolve.ts.
 */
import type { Overrides } from '../../types/run.d.ts';
import { ConfigError } from '../errors.ts';
import { parseDuration } from './duration.ts';

/** How a text value (environment variable, flag) becomes an option value. */
export type OptionParser = 'string' | 'int' | 'bool' | 'list' | 'keyValues' | 'duration' | 'stages';

/** Which commands show a flag: `target` flags shape requests (run, inspect, sweep, capacity); `run` flags replace or show run settings (run, inspect). */
export type FlagGroup = 'target' | 'run';

export interface OptionSpec {
  /** dotted path in the options object (`llm.url`) */
  readonly path: string;
  /** key in Overrides; the flag's value lands there */
  readonly override: keyof Overrides;
  /** LLMPERF_* variable, if the environment layer reads it */
  readonly env?: string;
  /** command-line flag (without --) and its one-letter alias */
  readonly flag?: string;
  readonly alias?: string;
  readonly group?: FlagGroup;
  readonly parse: OptionParser;
  /** the value when no layer sets it (undefined: none) */
  readonly default?: unknown;
  readonly help: string;
}

export const OPTION_TABLE = [
  { path: 'vus', override: 'vus', env: 'LLMPERF_VUS', flag: 'vus', alias: 'u', group: 'run', parse: 'int', help: "VUs (replaces the script's scenarios, as in k6)" },
  { path: 'iterations', override: 'iterations', env: 'LLMPERF_ITERATIONS', flag: 'iterations', alias: 'i', group: 'run', parse: 'int', help: "total iterations (replaces the script's scenarios)" },
  { path: 'duration', override: 'duration', env: 'LLMPERF_DURATION', flag: 'duration', alias: 'd', group: 'run', parse: 'duration', help: "test duration, e.g. 30s, 1m (replaces the script's scenarios)" },
  { path: 'stages', override: 'stages', env: 'LLMPERF_STAGES', flag: 'stage', alias: 's', group: 'run', parse: 'stages', help: "a stage DURATION:TARGET, e.g. -s 30s:10 -s 1m:10 -s 10s:0 (repeatable, or comma-separated): ramping VUs, replacing the script's scenarios (k6's --stage)" },
  { path: 'llm.url', override: 'url', env: 'LLMPERF_URL', flag: 'url', group: 'target', parse: 'string', help: 'base URL of the OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1 (default: the built-in mock)' },
  { path: 'llm.model', override: 'model', env: 'LLMPERF_MODEL', flag: 'model', group: 'target', parse: 'string', default: 'mock-llm', help: 'model name sent in requests' },
  { path: 'llm.apiKey', override: 'apiKey', env: 'LLMPERF_API_KEY', flag: 'api-key', group: 'target', parse: 'string', help: 'API key (sent as Authorization: Bearer; never logged or stored)' },
  { path: 'llm.headers', override: 'headers', flag: 'header', group: 'target', parse: 'keyValues', help: 'extra request header KEY=VALUE (repeatable)' },
  { path: 'llm.api', override: 'api', env: 'LLMPERF_API', flag: 'api', group: 'target', parse: 'string', default: 'openai', help: 'API of the target: openai (default), dashscope, or the path of an API plugin (.ts/.js)' },
  { path: 'llm.tokenizer', override: 'tokenizer', env: 'LLMPERF_TOKENIZER', flag: 'tokenizer', group: 'target', parse: 'string', help: 'tokenizer for token counts when the server returns no usage: a folder with tokenizer.json, or tiktoken:o200k_base' },
  { path: 'llm.includeUsage', override: 'includeUsage', env: 'LLMPERF_INCLUDE_USAGE', parse: 'bool', default: true, help: 'ask streaming servers for token usage (stream_options.include_usage)' },
  { path: 'llm.timeout', override: 'timeout', env: 'LLMPERF_TIMEOUT', flag: 'timeout', group: 'target', parse: 'duration', default: '10m', help: 'per-request total timeout (default 10m)' },
  { path: 'llm.connectTimeout', override: 'connectTimeout', env: 'LLMPERF_CONNECT_TIMEOUT', flag: 'connect-timeout', group: 'target', parse: 'duration', default: '10s', help: 'TCP connect timeout (default 10s)' },
  { path: 'llm.readTimeout', override: 'readTimeout', env: 'LLMPERF_READ_TIMEOUT', flag: 'read-timeout', group: 'target', parse: 'duration', default: '120s', help: 'max idle time between bytes of a response (default 120s)' },
  { path: 'insecureSkipTLSVerify', override: 'insecureSkipTLSVerify', env: 'LLMPERF_INSECURE_SKIP_TLS_VERIFY', flag: 'insecure-skip-tls-verify', group: 'target', parse: 'bool', default: false, help: 'accept any TLS certificate (self-signed endpoints); a warning is printed, as traffic can then be intercepted' },
  { path: 'tags', override: 'tags', flag: 'tag', group: 'target', parse: 'keyValues', help: 'tag KEY=VALUE added to every metric sample (repeatable)' },
  { path: 'summaryTrendStats', override: 'summaryTrendStats', env: 'LLMPERF_SUMMARY_TREND_STATS', flag: 'summary-trend-stats', group: 'run', parse: 'list', default: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'], help: 'stats shown for trends, e.g. "avg,p(50),p(99),max"' },
  { path: 'summaryTimeUnit', override: 'summaryTimeUnit', env: 'LLMPERF_SUMMARY_TIME_UNIT', flag: 'summary-time-unit', group: 'run', parse: 'string', help: 'fixed time unit in the summary: s, ms or us' },
  { path: 'name', override: 'name', parse: 'string', help: "the run's name (run directory, reports)" },
] as const satisfies readonly OptionSpec[];

/**
 * k6's stage syntax (`--stage`, LLMPERF_STAGES): `DURATION:TARGET` items, repeated or comma-separated,
 * e.g. `30s:10,1m:10,10s:0`. The duration is required; a stage without a target (`1m:` or `1m`)
 * holds the previous stage's target (k6: a null target is not interpolated), 1 for the first.
 */
export function parseStages(items: readonly string[], what: string): Array<{ duration: string; target: number }> {
  const out: Array<{ duration: string; target: number }> = [];
  const parts = items.flatMap((s) => String(s).split(',')).map((s) => s.trim()).filter(Boolean);
  if (!parts.length) throw new ConfigError(`${what}: give at least one stage DURATION:TARGET, e.g. 30s:10`);
  parts.forEach((item, i) => {
    const [d = '', t = ''] = item.split(':', 2).map((x) => x.trim());
    if (!d) throw new ConfigError(`${what}: stage ${i} (${JSON.stringify(item)}) has no duration: write DURATION:TARGET, e.g. 30s:10`);
    parseDuration(d, `${what} stage ${i}`);
    let target = out.length ? out[out.length - 1]!.target : 1;
    if (t !== '') {
      if (!/^\d+$/.test(t)) throw new ConfigError(`${what}: stage ${i} (${JSON.stringify(item)}): the target must be a whole number of VUs, e.g. 30s:10`);
      target = Number(t);
    }
    out.push({ duration: d, target });
  });
  return out;
}

/** The spec of a dotted path, if the table has it. */
export function optionSpec(path: string): OptionSpec | undefined {
  return (OPTION_TABLE as readonly OptionSpec[]).find((o) => o.path === path);
}

/** The default of a dotted path from the table (undefined when it has none). */
export function optionDefault<T>(path: string): T | undefined {
  return optionSpec(path)?.default as T | undefined;
}

/** Sets `value` at a dotted path of `obj`, creating the intermediate objects. */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let o = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    const k = parts[i]!;
    if (o[k] === undefined || o[k] === null || typeof o[k] !== 'object') o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[parts[parts.length - 1]!] = value;
}
