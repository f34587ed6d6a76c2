/**
 * Phase 4 of every run, `finishRun`: the summary (summary/data.ts), the run directory's last files
 * and closing of the outputs (the results session), the text summary or what handleSummary() returns,
 * and --summary-export. Always closes the run (client, isolates, an owned target), even when writing
 * fails.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ResultsSession } from '../results/session.ts';
import { buildSummary, type SummaryData } from '../summary/data.ts';
import { renderTextSummary } from '../summary/text.ts';
import type { RunOutput } from '../../types/run.d.ts';
import { ExitCode, type ExitCodeValue } from '../exit-codes.ts';
import { fsReason, LlmperfError, WriteError } from '../errors.ts';
import { writeFileAtomic } from '../results/run-dir.ts';
import { FileAccess } from './file-access.ts';
import type { RunResult } from './run.ts';

export interface FinishOptions {
  /** the run directory and outputs, when any */
  results?: ResultsSession | undefined;
  /** colour in the text summary */
  color?: boolean;
  /** also write the summary JSON here (k6's --summary-export) */
  summaryExport?: string;
  /** no text summary, no handleSummary(), no summaryExport (k6's --no-summary); the results are still written */
  noSummary?: boolean;
  /** called with the run result before the isolates close (sweep levels read their registry here) */
  onResult?: (r: RunResult, summary: SummaryData) => void | Promise<void>;
  /** where errors of this phase are told (default: the session's log, else stderr) */
  log?: (line: string) => void;
}

/** What a finished run resolves with: run()'s public RunOutput (types/run.d.ts). */
export type FinishedRun = RunOutput;

/**
 * A problem while finishing makes a run that passed fail with its code; a run that failed already
 * keeps its own code (99, 105, 108): the test's verdict comes first.
 */
function worse(code: ExitCodeValue, failure: ExitCodeValue): ExitCodeValue {
  return code === ExitCode.OK ? failure : code;
}

/**
 * Finishes a run. Nothing here ends it without a summary: when handleSummary() throws, the text
 * summary is printed instead (exit 107); when a file cannot be written, the others still are, the
 * summary is printed, and each failure is told in one line (exit 104). run.json is written last,
 * with the exit code the run ends with.
 */
export async function finishRun(result: RunResult, o: FinishOptions): Promise<FinishedRun> {
  const r = o.results;
  const log = o.log ?? r?.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const files: string[] = [];
  const failures: string[] = [];
  let exitCode = result.exitCode;
  try {
    const summary = buildSummary(result);
    await o.onResult?.(result, summary);
    const text = renderTextSummary(summary, { color: o.color ?? false, timeUnit: result.options.summaryTimeUnit });
    let stdout = o.noSummary ? '' : text;
    let stderr = '';
    const writes: Array<[string, string]> = [];
    if (result.handleSummary && !o.noSummary) {
      let custom: Record<string, unknown> | undefined;
      try {
        custom = await result.handleSummary(JSON.stringify(summary));
      } catch (e) {
        const { message } = errorMessage(e);
        log(`ERROR ${message} (the default summary is printed instead)`);
        exitCode = worse(exitCode, ExitCode.SCRIPT_ERROR);
      }
      if (custom) {
        stdout = '';
        for (const [k, v] of Object.entries(custom)) {
          const body = typeof v === 'string' ? v : JSON.stringify(v, null, 2);
          if (k === 'stdout') stdout = body;
          else if (k === 'stderr') stderr = body;
          else {
            try {
              writes.push([(result.files ?? new FileAccess(process.cwd())).checkWrite(k, r?.runDir), body]);
            } catch (e) {
              failures.push(errorMessage(e).message);
            }
          }
        }
      }
    }
    if (o.summaryExport && !o.noSummary) writes.push([path.resolve(o.summaryExport), JSON.stringify(summary, null, 2)]);
    for (const [file, body] of writes) {
      try {
        writeOut(file, body);
        files.push(file);
      } catch (e) {
        failures.push(errorMessage(e).message);
      }
    }
    if (failures.length) exitCode = worse(exitCode, ExitCode.INVALID_CONFIG);
    if (r) {
      const dirFailures = await r.finish(result, summary, exitCode);
      if (dirFailures.length) {
        failures.push(...dirFailures);
        exitCode = worse(exitCode, ExitCode.INVALID_CONFIG);
      }
    }
    // what was not written is said after the summary, where it is seen
    if (failures.length) {
      if (!stdout && !o.noSummary) stdout = text;
      for (const f of failures) log(`ERROR ${f}`);
      log(`ERROR ${failures.length} result file${failures.length === 1 ? ' was' : 's were'} not written (see above); exit ${exitCode}`);
    }
    return { exitCode, summary, stdout, stderr, files, writeFailures: failures, ...(r?.runDir ? { runDir: r.runDir } : {}) };
  } finally {
    await r?.abort(); // no-op after finish(); closes the store and outputs if the summary failed
    await result.close();
  }
}

function errorMessage(e: unknown): { message: string } {
  if (e instanceof LlmperfError) return { message: e.message };
  return { message: fsReason(e) };
}

/** Writes a file (checked by the caller), creating its folder: all of it or nothing (no partial file). */
function writeOut(file: string, text: string): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
  } catch (e) {
    throw new WriteError(file, e);
  }
  writeFileAtomic(file, text);
}
