/**
 * Phase 4 of every run, `finishRun`: the summary (summary/data.ts), the run directory's last files
 * and closing of the outputs (the results session), the text summary or what handleSummary() returns,
 * and --summary-export. Always closes the run (client, isolates, an owned target), even when writing
 * fails.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ResultsSession } from '../results/session.ts';
import { buildSummary, type SummaryData } from '../summary/data.ts';
import { renderTextSummary } from '../summary/text.ts';
import type { ExitCodeValue } from '../exit-codes.ts';
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
}

export interface FinishedRun {
  exitCode: ExitCodeValue;
  summary: SummaryData;
  /** the text summary (what `llmperf run` prints), or handleSummary's stdout */
  stdout: string;
  stderr: string;
  /** files written by handleSummary or --summary-export */
  files: string[];
  /** the run directory, when saved */
  runDir?: string;
}

export async function finishRun(result: RunResult, o: FinishOptions): Promise<FinishedRun> {
  const r = o.results;
  const files: string[] = [];
  try {
    const summary = buildSummary(result);
    await r?.finish(result, summary);
    await o.onResult?.(result, summary);
    let stdout = o.noSummary ? '' : renderTextSummary(summary, { color: o.color ?? false, timeUnit: result.options.summaryTimeUnit });
    let stderr = '';
    if (result.handleSummary && !o.noSummary) {
      const custom = await result.handleSummary(JSON.stringify(summary));
      if (custom) {
        stdout = '';
        for (const [k, v] of Object.entries(custom)) {
          const text = typeof v === 'string' ? v : JSON.stringify(v, null, 2);
          if (k === 'stdout') stdout = text;
          else if (k === 'stderr') stderr = text;
          else files.push(writeOut(k, text));
        }
      }
    }
    if (o.summaryExport && !o.noSummary) files.push(writeOut(o.summaryExport, JSON.stringify(summary, null, 2)));
    return { exitCode: result.exitCode, summary, stdout, stderr, files, ...(r?.runDir ? { runDir: r.runDir } : {}) };
  } finally {
    await r?.abort(); // no-op after finish(); closes the store and outputs if the summary failed
    await result.close();
  }
}

/** Writes a file relative to the working directory, creating its folder. */
function writeOut(file: string, text: string): string {
  const p = path.resolve(file);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}
