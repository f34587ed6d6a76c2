/** Helpers shared by the commands: key=value lists, signal handling, exiting with a clear message. */
import type { Argv } from 'yargs';
import { ConfigError } from '../runtime/errors.ts';
import { errorExit } from '../runtime/api.ts';

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

/** First SIGINT/SIGTERM aborts `graceful`; the second aborts `hard`. */
export function installSignals(log: (l: string) => void): { graceful: AbortController; hard: AbortController; dispose(): void } {
  const graceful = new AbortController();
  const hard = new AbortController();
  const onSig = (sig: string) => {
    if (!graceful.signal.aborted) {
      log(`\n${sig} received: stopping new iterations, waiting for in-flight ones (gracefulStop); send it again to stop at once`);
      graceful.abort();
    } else if (!hard.signal.aborted) {
      log(`${sig} received again: stopping now`);
      hard.abort();
      // in-flight requests are cancelled and the results written within moments; if something
      // still hangs (a script stuck in a loop), leave anyway: stores flush on 'exit'.
      setTimeout(() => process.exit(105), 5000).unref();
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

/** Flags that shape the requests to the target: `run`, `inspect`, `sweep` and `capacity` take them. */
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
}

export function connectionOptions<T>(y: Argv<T>, urlHelp = 'base URL of the OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1 (default: the built-in mock)'): Argv<T & ConnectionArgs> {
  return y
    .option('url', { type: 'string', describe: urlHelp })
    .option('model', { type: 'string', describe: 'model name sent in requests' })
    .option('api-key', { type: 'string', describe: 'API key (sent as Authorization: Bearer; never logged or stored)' })
    .option('header', { type: 'string', array: true, describe: 'extra request header KEY=VALUE (repeatable)' })
    .option('api', { type: 'string', describe: 'API of the target: openai (default), dashscope, or the path of an API plugin (.ts/.js)' })
    .option('tokenizer', { type: 'string', describe: 'tokenizer for token counts when the server returns no usage: a folder with tokenizer.json, or tiktoken:o200k_base' })
    .option('connect-timeout', { type: 'string', describe: 'TCP connect timeout (default 10s)' })
    .option('read-timeout', { type: 'string', describe: 'max idle time between bytes of a response (default 120s)' })
    .option('timeout', { type: 'string', describe: 'per-request total timeout (default 10m)' })
    .option('tag', { type: 'string', array: true, describe: 'tag KEY=VALUE added to every metric sample (repeatable)' }) as unknown as Argv<T & ConnectionArgs>;
}

/** The connection, shortcut and summary flags that `run` and `inspect` share (read back by overridesFrom in cli/run.ts). */
export function targetOptions<T>(y: Argv<T>): Argv<T & ConnectionArgs> {
  return connectionOptions(y)
    .option('vus', { alias: 'u', type: 'number', describe: 'VUs (replaces the script\'s scenarios, as in k6)' })
    .option('iterations', { alias: 'i', type: 'number', describe: 'total iterations (replaces the script\'s scenarios)' })
    .option('duration', { alias: 'd', type: 'string', describe: 'test duration, e.g. 30s, 1m (replaces the script\'s scenarios)' })
    .option('summary-trend-stats', { type: 'string', describe: 'stats shown for trends, e.g. "avg,p(50),p(99),max"' })
    .option('summary-time-unit', { choices: ['s', 'ms', 'us'] as const, describe: 'fixed time unit in the summary' }) as unknown as Argv<T & ConnectionArgs>;
}
