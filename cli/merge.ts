/** `llmperf merge <run-dir>... --out <dir>`: one result from the instances of a distributed run. */
import type { Argv, CommandModule } from 'yargs';
import { mergeRuns } from '../runtime/results/merge.ts';
import { renderTextSummary } from '../runtime/summary/text.ts';
import { fail } from './common.ts';

interface MergeArgs {
  dirs: string[];
  out: string;
  color: boolean;
  report: boolean;
  quiet: boolean;
}

export const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <dirs..>',
  describe: 'Merge the run directories of a distributed test (exact HDR merge), re-evaluating thresholds',
  builder: (y: Argv) =>
    y
      .positional('dirs', { type: 'string', array: true, describe: 'run directories, one per instance', demandOption: true })
      .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'directory for the merged result' })
      .option('color', { type: 'boolean', default: !!process.stdout.isTTY && !process.env.NO_COLOR, describe: 'colours in the summary' })
      .option('report', { type: 'boolean', default: true, describe: 'write report.html (--no-report to skip)' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print only the output directory' })
      .example('$0 merge results/run-1/* --out results/run-1/merged', 'merge the 4 segment directories of a distributed run')
      .example('$0 merge a b --out ab && echo "thresholds passed"', 'gate CI on a distributed run: exit 99 when a threshold fails') as unknown as Argv<MergeArgs>,
  handler: async (a) => {
    try {
      const r = await mergeRuns(a.dirs, { outDir: a.out, report: a.report });
      if (!a.quiet) process.stdout.write(renderTextSummary(r.summary, { color: a.color }));
      process.stderr.write(`merged ${r.instances.length} instances (${r.rows} stored requests) into ${r.outDir}\n`);
      process.exitCode = r.exitCode;
    } catch (e) {
      fail(e);
    }
  },
};
