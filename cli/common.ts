/** Helpers shared by the commands: key=value lists, signal handling, exiting with a clear message. */
import type { Argv } from 'yargs';
import { ConfigError } from '../runtime/errors.ts';
import { errorExit } from '../runtime/api.ts';
import { OPTION_TABLE, parseStages, type FlagGroup, type OptionSpec } from '../runtime/options/table.ts';
import type { Overrides } from '../runtime/options/resolve.ts';

/** Parses ["k=v", ...] (or a single string) into an object; `what` names the flag in errors. */
export function parseKeyValues(list: unknown, what: string): Record<string, string> {
  const arr = list === undefined ? [] : Array.isArray(list) ? list : [list];
  const out: Record<string, string> = {};
  for (const item of arr) {
    const s = String(item);
    const i = s.search(/[=:]/);
    if (i <= 0) throw new ConfigError(`${what} ${JSON.stringify(s)}: write KEY=VALUE`);
    out[s.slice(0, i).trim()] = s.slice(i + 1).trim();
  }
  return out;
}

/** After the second signal, the longest the run may take to write its results before the process leaves. */
export const HARD_EXIT_MS = 15_000;

/**
 * `--mock key=value` options for the embedded mock, keys camel-cased. A repeated `fault` keeps every
 * value (`--mock fault=http_500=0.1 --mock fault=reset=0.05` injects both); for other keys the last
 * one wins.
 */
export function mockOptionsFromArgs(list: unknown): Record<string, unknown> {
  const arr = list === undefined ? [] : Array.isArray(list) ? list : [list];
  const out: Record<string, unknown> = {};
  for (const item of arr) {
    const [k, v] = Object.entries(parseKeyValues(String(item), '--mock'))[0]!;
    const key = k.replace(/-([a-z])/g, (_m, ch: string) => ch.toUpperCase());
    if (key === 'fault' || key === 'faults') out.fault = [...((out.fault as string[] | undefined) ?? []), v];
    else out[key] = v;
  }
  return out;
}

/** First SIGINT/SIGTERM aborts `graceful`; the second aborts `hard`. */
export function installSignals(log: (l: string) => void): { graceful: AbortController; hard: AbortController; dispose(): void } {
  const graceful = new AbortController();
  const hard = new AbortController();
  const onSig = (sig: string) => {
    if (!graceful.signal.aborted) {
      log(`\n${sig} received: stopping new iterations, waiting for in-flight ones (gracefulStop); send it again to stop at once`);
      graceful.abort();
    } else if (!hard.signal.aborted) {
      log(`${sig} received again: stopping now (in-flight requests are cancelled; the summary, the store and the report are still written)`);
      hard.abort();
      // In-flight requests are cancelled, sleeps end and iterations that cannot end are abandoned
      // (runtime/engine/scenario.ts), so the results are written within moments. If something still
      // holds the process (a VU's code looping on the CPU until iterationTimeout), leave anyway
      // after a while: the store flushes on 'exit'.
      setTimeout(() => {
        log(`the run did not end within ${HARD_EXIT_MS / 1000} s of the second signal: exiting without writing the summary (requests.sqlite keeps every completed request)`);
        process.exit(105);
      }, HARD_EXIT_MS).unref();
    }
  };
  const a = () => onSig('SIGINT');
  const b = () => onSig('SIGTERM');
  process.on('SIGINT', a);
  process.on('SIGTERM', b);
  return {
    graceful,
    hard,
    dispose() {
      process.off('SIGINT', a);
      process.off('SIGTERM', b);
    },
  };
}

/**
 * For commands that ran isolates: report the error and let the process end on its own (isolated-vm
 * threads that are still winding down can crash a hard process.exit), with a forced exit only if
 * something keeps the event loop alive.
 */
export function failGracefully(e: unknown): void {
  const { exitCode, message } = errorExit(e);
  process.stderr.write(`error: ${message}\n`);
  process.exitCode = exitCode;
  setTimeout(() => process.exit(exitCode), 2000).unref();
}

export function fail(e: unknown): never {
  const { exitCode, message } = errorExit(e);
  process.stderr.write(`error: ${message}\n`);
  process.exit(exitCode);
}

/** --allow-read / --allow-write: what a script may reach on the host besides its folder (README, "The sandbox"). */
export interface SandboxArgs {
  'allow-read'?: string[];
  'allow-write'?: string[];
}

export function sandboxOptions<T>(y: Argv<T>, write = true): Argv<T & SandboxArgs> {
  const r = y.option('allow-read', { type: 'string', array: true, describe: "also let the script read this file or folder (open(), datasets, plugins it names); by default it reads only its own folder (repeatable)" });
  return (write ? r.option('allow-write', { type: 'string', array: true, describe: 'also let handleSummary() write into this folder; by default only relative paths under the working directory and the run directory (repeatable)' }) : r) as unknown as Argv<T & SandboxArgs>;
}

/** The sandbox flags as run() options. */
export function sandboxFromArgs(a: SandboxArgs): { allowRead?: string[]; allowWrite?: string[] } {
  return { ...(a['allow-read']?.length ? { allowRead: a['allow-read'].map(String) } : {}), ...(a['allow-write']?.length ? { allowWrite: a['allow-write'].map(String) } : {}) };
}

/** The flags of the option table (runtime/options/table.ts), by their names as yargs gives them back. */
export interface ConnectionArgs {
  url?: string;
  model?: string;
  'api-key'?: string;
  header?: string[];
  api?: string;
  tokenizer?: string;
  'connect-timeout'?: string;
  'read-timeout'?: string;
  timeout?: string;
  tag?: string[];
  'insecure-skip-tls-verify'?: boolean;
}
export interface RunShortcutArgs {
  vus?: number;
  iterations?: number;
  duration?: string;
  stage?: string[];
  'summary-trend-stats'?: string;
  'summary-time-unit'?: 's' | 'ms' | 'us';
}

/** Adds the table's flags of `groups` to a command (types and help from the table). */
function tableFlags<T>(y: Argv<T>, groups: readonly FlagGroup[], urlHelp?: string): Argv<T> {
  let out = y;
  for (const spec of OPTION_TABLE as readonly OptionSpec[]) {
    if (!spec.flag || !spec.group || !groups.includes(spec.group)) continue;
    const describe = spec.path === 'llm.url' && urlHelp ? urlHelp : spec.help;
    const type = spec.parse === 'int' ? ('number' as const) : spec.parse === 'bool' ? ('boolean' as const) : ('string' as const);
    out = out.option(spec.flag, {
      type,
      describe,
      ...(spec.alias ? { alias: spec.alias } : {}),
      ...(spec.parse === 'keyValues' || spec.parse === 'stages' ? { array: true } : {}),
      ...(spec.path === 'summaryTimeUnit' ? { choices: ['s', 'ms', 'us'] } : {}),
    }) as Argv<T>;
  }
  return out;
}

/** The flags that shape the requests to the target: `run`, `inspect`, `sweep` and `capacity` take them. */
export function connectionOptions<T>(y: Argv<T>, urlHelp?: string): Argv<T & ConnectionArgs> {
  return tableFlags(y, ['target'], urlHelp) as Argv<T & ConnectionArgs>;
}

/** The connection, shortcut and summary flags that `run` and `inspect` share. */
export function targetOptions<T>(y: Argv<T>): Argv<T & ConnectionArgs & RunShortcutArgs> {
  return tableFlags(y, ['target', 'run']) as Argv<T & ConnectionArgs & RunShortcutArgs>;
}

/** The table's flags, as parsed by yargs, back into Overrides (flags that were not given stay unset). */
export function overridesFromArgs(a: object): Overrides {
  const args = a as Record<string, unknown>;
  const o: Record<string, unknown> = {};
  for (const spec of OPTION_TABLE as readonly OptionSpec[]) {
    if (!spec.flag) continue;
    const v = args[spec.flag];
    if (v === undefined) continue;
    if (spec.parse === 'keyValues') {
      if (Array.isArray(v) && v.length === 0) continue;
      o[spec.override] = parseKeyValues(v, `--${spec.flag}`);
    } else if (spec.parse === 'stages') o[spec.override] = parseStages((Array.isArray(v) ? v : [v]).map(String), `--${spec.flag}`);
    else if (spec.parse === 'list') o[spec.override] = String(v).split(',').map((x) => x.trim()).filter(Boolean);
    else o[spec.override] = v;
  }
  return o as Overrides;
}
