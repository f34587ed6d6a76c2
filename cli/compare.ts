/** `llmperf compare <runA> <runB> [...]`: parsing only; the work is runtime/results/compare.ts. */
import type { Argv, CommandModule } from 'yargs';
import { ExitCode } from '../runtime/exit-codes.ts';
import { compareRuns, loadRun, parsePercent, renderComparison } from '../runtime/results/compare.ts';
import { fail } from './common.ts';

interface CompareArgs {
  runs: string[];
  'fail-on-regression'?: string;
  json: boolean;
  color: boolean;
}

export const compareCommand: CommandModule<object, CompareArgs> = {
  command: 'compare <runs..>',
  describe: 'Compare the headline figures of two or more runs (the first is the baseline)',
  builder: (y: Argv<object>): Argv<CompareArgs> =>
    y
      .positional('runs', { type: 'string', array: true, demandOption: true, describe: 'run directories or summary.json files' })
      .option('fail-on-regression', { type: 'string', describe: 'exit 2 when a latency grows, or a throughput / success rate / goodput drops, by more than this, e.g. 5%' })
      .option('json', { type: 'boolean', default: false, describe: 'print the comparison as JSON' })
      .option('color', { type: 'boolean', default: !!process.stdout.isTTY && !process.env.NO_COLOR, describe: 'colour better/worse (--no-color to disable)' })
      .example('$0 compare llmperf-results/base-20250101-100000 llmperf-results/new-20250102-100000', 'what changed between two runs')
      .example('$0 compare base/ new/ --fail-on-regression 5%', 'in CI: exit 2 when any figure is more than 5% worse') as unknown as Argv<CompareArgs>,
  handler: (a) => {
    try {
      const limit = a['fail-on-regression'] !== undefined ? parsePercent(a['fail-on-regression']) : null;
      const c = compareRuns(a.runs.map(loadRun), limit);
      process.stdout.write(a.json ? JSON.stringify(c, null, 2) + '\n' : renderComparison(c, { color: a.color }));
      process.exitCode = limit !== null && c.regressions.length > 0 ? ExitCode.REGRESSION : ExitCode.OK;
    } catch (e) {
      fail(e);
    }
  },
};
