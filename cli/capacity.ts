/** `llmperf capacity <script> --slo ...`: the largest load meeting every SLO; parsing only (runtime/sweep/capacity.ts). */
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { runCapacity } from '../runtime/sweep/capacity.ts';
import { errorExit } from '../runtime/api.ts';
import { failGracefully, installSignals } from './common.ts';
import { startDashboard } from './dashboard.ts';
import { finishDashboard, levelOptions, sessionFrom, type LevelArgs } from './sweep.ts';

interface CapacityArgs extends LevelArgs {
  over: 'concurrency' | 'rate';
  min: number;
  max: number;
  precision?: number;
  confirmations: number;
  'stop-saturated': boolean;
}

export const capacityCommand: CommandModule<object, CapacityArgs> = {
  command: 'capacity <script>',
  describe: 'Find the largest concurrency or request rate at which every SLO holds',
  builder: (y) =>
    levelOptions(y, '20s')
      .option('over', { choices: ['concurrency', 'rate'] as const, default: 'concurrency' as const, describe: 'search over closed-loop VUs or open-loop arrivals per second' })
      .option('min', { type: 'number', default: 1, describe: 'the smallest load to try' })
      .option('max', { type: 'number', default: 256, describe: 'the largest load to try' })
      .option('precision', { type: 'number', describe: 'stop bisecting within this: VUs for concurrency (default 1), a fraction for rate (default 0.05)' })
      .option('confirmations', { type: 'number', default: 2, describe: 'repeat runs of the answer (a failed repeat lowers it); 0 for none' })
      .option('stop-saturated', { type: 'boolean', default: true, describe: 'stop a rate level early when queue and TTFT grow without bound (--no-stop-saturated)' })
      .demandOption('slo')
      .example("$0 capacity chat.ts --slo 'p99(llm_ttft)<500' --slo 'p99(llm_tpot)<50' --url http://127.0.0.1:8000/v1", 'the most concurrent users within the SLOs')
      .example("$0 capacity chat.ts --over rate --slo 'p99(llm_ttft)<500' --max 64 --level-duration 30s", 'the highest request rate within the SLO') as unknown as Argv<CapacityArgs>,
  handler: async (a) => {
    const log = (l: string) => process.stderr.write(l + '\n');
    const sig = installSignals(log);
    let dash: Awaited<ReturnType<typeof startDashboard>>;
    try {
      const req = await sessionFrom(a, '20s', sig, log);
      dash = await startDashboard(a, 'capacity', `llmperf capacity — ${a.script}`, log);
      const out = await runCapacity({
        ...req,
        ...(dash ? { dashboard: dash } : {}),
        over: a.over,
        min: a.min,
        max: a.max,
        ...(a.precision !== undefined ? { precision: a.precision } : {}),
        confirmations: a.confirmations,
        detectSaturation: a['stop-saturated'],
      });
      process.stdout.write(out.table + '\n' + out.answer + '\n');
      if (out.dir) log(`results: ${path.relative(process.cwd(), out.dir) || '.'}${out.report ? ` (report: ${path.relative(process.cwd(), out.report)})` : ''}`);
      await finishDashboard(dash, out.exitCode, null, log, out.answer);
      sig.dispose();
      process.exitCode = out.exitCode;
    } catch (e) {
      await finishDashboard(dash, errorExit(e).exitCode, errorExit(e).message.split('\n')[0]!, log).catch(() => undefined);
      failGracefully(e);
    }
  },
};
