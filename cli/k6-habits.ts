/**
 * k6's run-time habits that `llmperf run` keeps, each as k6 defines it (k6: internal/cmd/options.go,
 * runtime_options.go, root.go, run.go):
 *  - `run -`            the script from stdin
 *  - --http-debug[=full] every request and response, headers only unless =full
 *  - --console-output F the script's console lines appended to a file instead of stderr
 *  - -v / --verbose     debug-level logging: llmperf's DEBUG lines and the script's console.debug
 *                       (dropped without -v, as k6 drops debug-level logs)
 *  - the closing line   "thresholds on metrics '...' have been crossed" when thresholds failed
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { RunOptions } from '../runtime/api.ts';
import { ConfigError } from '../runtime/errors.ts';
import type { SummaryData } from '../runtime/summary/data.ts';

export interface K6HabitArgs {
  verbose?: boolean;
  debug?: boolean;
  'http-debug'?: string;
  'console-output'?: string;
  summary?: boolean;
}

/**
 * The script argument: a path, or `-` for a script read from stdin (run from the working directory).
 * yargs hands a lone `-` over as '', so the raw command line decides.
 */
export function isStdinScript(arg: string, argv: readonly string[] = process.argv.slice(2)): boolean {
  return arg === '-' || (arg === '' && argv.includes('-'));
}

export async function readScriptArg(arg: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<RunOptions['script']> {
  if (!isStdinScript(arg)) return arg;
  if ((stdin as { isTTY?: boolean }).isTTY) throw new ConfigError('run -: reads the script from stdin, and stdin is a terminal: pipe a script in (cat test.ts | llmperf run -) or give its path');
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  const source = Buffer.concat(chunks).toString('utf8');
  if (!source.trim()) throw new ConfigError('run -: stdin was empty: pipe a script in (cat test.ts | llmperf run -)');
  return { source, filename: 'stdin', baseDir: process.cwd() };
}

/** --debug / --http-debug[=full] as run()'s debug option (undefined: no request logging). */
export function httpDebugMode(a: K6HabitArgs): RunOptions['debug'] {
  const h = a['http-debug'];
  if (h !== undefined) {
    if (h === '' || h === 'headers') return a.debug ? 'full' : 'headers';
    if (h === 'full') return 'full';
    throw new ConfigError(`--http-debug=${h}: give --http-debug (headers) or --http-debug=full (with the bodies)`);
  }
  return a.debug ? true : undefined;
}

/** --console-output: the script's console lines appended to a file, as k6 does (undefined without the flag). */
export function consoleFile(a: K6HabitArgs): { write: NonNullable<RunOptions['consoleLog']>; close(): void } | undefined {
  const file = a['console-output'];
  if (file === undefined) return undefined;
  if (file === '') throw new ConfigError('--console-output: give a file name, e.g. --console-output console.log');
  let fd: number;
  try {
    fd = openSync(path.resolve(file), 'a');
  } catch (e) {
    throw new ConfigError(`--console-output ${file}: cannot open it for writing (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let open = true;
  return {
    write: (_level, line) => {
      if (open) writeSync(fd, line + '\n');
    },
    close: () => {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
  };
}

/** k6's closing line, or null when every threshold passed. */
export function crossedLine(s: Pick<SummaryData, 'thresholds'>): string | null {
  const failed = [...new Set((s.thresholds ?? []).filter((t) => !t.ok).map((t) => t.metric))];
  return failed.length ? `thresholds on metrics '${failed.join(', ')}' have been crossed` : null;
}

/** -v: llmperf's DEBUG lines about the run's phases, added to the run's hooks. */
export function verboseHooks(opts: RunOptions, log: (l: string) => void): RunOptions {
  const t0 = performance.now();
  const ms = () => `${Math.round(performance.now() - t0)} ms`;
  log(`DEBUG loading ${typeof opts.script === 'string' ? opts.script : 'the script from stdin'}: bundle, init code in one VU, options`);
  return {
    ...opts,
    onStart: async (i) => {
      log(`DEBUG loaded and prepared in ${ms()}: target ${i.targetUrl}${i.embeddedMock ? ' (built-in mock)' : ''}, model ${i.options.llm.model}, api ${i.options.llm.api}`);
      for (const p of i.plans) log(`DEBUG scenario ${p.scenario.name} (${p.scenario.executor}): ${p.plan.description}`);
      log(`DEBUG ${i.thresholds?.length ?? 0} threshold(s); running setup() if any, then the VUs`);
      await opts.onStart?.(i);
    },
    onResult: async (r, s) => {
      log(`DEBUG run ended after ${ms()}: ${r.stopReason}, ${s.llm.requests} requests, ${r.iterations} iterations, exit code ${r.exitCode}; writing the results`);
      await opts.onResult?.(r, s);
    },
  };
}
