/**
 * A failed `llmperf perf` leaves no stray files: when it throws (a bad dataset, an unreachable
 * target, a broken template), the run folders it made that hold no result (only the generated
 * perf.ts) are removed, and, when it measured nothing at all, the folders and benchmark.log it
 * created for this invocation too. Folders that existed before (--no-timestamp reruns, an
 * --outputs-dir of other results) keep everything that was in them. The error itself is on stderr.
 */
import { existsSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import path from 'node:path';

/** Which of the output folders existed before this invocation (call before anything is written). */
export function foldersBefore(root: string, outputsDir: string): Set<string> {
  const out = new Set<string>();
  for (let d = path.resolve(root); ; d = path.dirname(d)) {
    if (existsSync(d)) out.add(d);
    if (d === path.resolve(outputsDir) || d === path.dirname(d)) break;
  }
  return out;
}

export function removeFailedOutputs(root: string, outputsDir: string, existed: ReadonlySet<string>): void {
  try {
    const abs = path.resolve(root);
    if (!existsSync(abs)) return;
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const dir = path.join(abs, e.name);
      if (e.isDirectory() && !existsSync(path.join(dir, 'summary.json')) && existsSync(path.join(dir, 'perf.ts'))) rmSync(dir, { recursive: true, force: true });
    }
    if (existed.has(abs)) return;
    const left = readdirSync(abs);
    if (left.every((f) => f === 'benchmark.log')) rmSync(abs, { recursive: true, force: true });
    // the timestamp folder and outputs/ when this run made them and they are now empty
    for (let d = path.dirname(abs); !existed.has(d) && d !== path.dirname(d); d = path.dirname(d)) {
      if (readdirSync(d).length) break;
      rmdirSync(d);
      if (d === path.resolve(outputsDir)) break;
    }
  } catch {
    // cleaning up is best effort: the run's error is what matters
  }
}
