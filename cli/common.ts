/** Helpers shared by the commands: key=value lists, signal handling, exiting with a clear message. */
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

export function fail(e: unknown): never {
  const { exitCode, message } = errorExit(e);
  process.stderr.write(`error: ${message}\n`);
  process.exit(exitCode);
}
