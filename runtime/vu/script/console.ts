/** The VU's `console`: each line goes to llmperf's log, with the level and the VU (types/globals.d.ts). */
import type { LogLevel } from '../protocol.ts';
import type { VuConsole } from './modules.ts';
import type { VuScope } from './scope.ts';

function fmtArg(a: unknown): string {
  if (typeof a === 'string') return a;
  if (a instanceof Error) return a.stack || String(a);
  try {
    return JSON.stringify(a);
  } catch {
    return String(a);
  }
}

export function makeConsole(vu: VuScope): VuConsole {
  const H = vu.H;
  const logger =
    (level: LogLevel) =>
    (...args: unknown[]): void =>
      H.log(level, args.map(fmtArg).join(' '));
  return { log: logger('log'), info: logger('info'), warn: logger('warn'), error: logger('error'), debug: logger('debug') };
}
