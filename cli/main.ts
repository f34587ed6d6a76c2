/** The llmperf command line: one file per command under cli/, registered here. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { mockCommand } from './mock.ts';
import { mergeCommand } from './merge.ts';
import { runCommand } from './run.ts';
import { compareCommand } from './compare.ts';
import { perfCommand } from './perf.ts';
import { inspectCommand } from './inspect.ts';
import { sweepCommand } from './sweep.ts';
import { capacityCommand } from './capacity.ts';
import { newCommand } from './new.ts';
import { reportCommand } from './report.ts';
import { k8sCommand } from './k8s.ts';
import { versionCommand } from './version.ts';
import { fail } from './common.ts';
import { VERSION } from '../runtime/summary/data.ts';
import { watchLauncher } from './launcher-link.ts';

watchLauncher();

try {
  await yargs(hideBin(process.argv))
    .scriptName('llmperf')
    .usage('$0 <command> [options]\n\nA k6-style, scriptable load tester for LLM inference endpoints.')
    .command(runCommand)
    .command(compareCommand)
    .command(perfCommand)
    .command(inspectCommand)
    .command(sweepCommand)
    .command(capacityCommand)
    .command(newCommand)
    .command(reportCommand)
    .command(k8sCommand)
    .command(mockCommand)
    .command(mergeCommand)
    .command(versionCommand)
    .demandCommand(1, 'give a command: run, perf, mock, ... (see --help)')
    .strict()
    .recommendCommands()
    .version(VERSION)
    .help()
    .wrap(process.argv.includes('--help') || process.argv.includes('-h') ? Math.min(120, process.stdout.columns || 100) : null)
    .fail((msg, err, y) => {
      if (err) fail(err);
      void y;
      process.stderr.write(`error: ${msg}\nRun with --help for usage.\n`);
      process.exit(104);
    })
    .parseAsync();
} catch (e) {
  fail(e);
}
