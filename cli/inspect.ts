/** `llmperf inspect <script>`: parsing only; the work is runtime/inspect.ts. */
import type { Argv, CommandModule } from 'yargs';
import { inspectJson, inspectScript, renderInspect } from '../runtime/inspect.ts';
import { readConfigFile } from '../runtime/options/resolve.ts';
import { failGracefully, overridesFromArgs, parseKeyValues, sandboxFromArgs, sandboxOptions, targetOptions, type ConnectionArgs, type RunShortcutArgs, type SandboxArgs } from './common.ts';

interface InspectArgs extends ConnectionArgs, RunShortcutArgs, SandboxArgs {
  script: string;
  json: boolean;
  config?: string;
  env?: string[];
  'system-env': boolean;
}

export const inspectCommand: CommandModule<object, InspectArgs> = {
  command: 'inspect <script>',
  describe: 'Show the resolved options (and where each came from) and the execution plan, without running',
  builder: (y: Argv<object>): Argv<InspectArgs> =>
    sandboxOptions(targetOptions(y), false)
      .positional('script', { type: 'string', describe: 'the test script (.ts or .js)', demandOption: true })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON instead of text' })
      .option('config', { alias: 'c', type: 'string', describe: 'JSON file of options, layered under the script\'s options' })
      .option('env', { alias: 'e', type: 'string', array: true, describe: 'script variable KEY=VALUE, read as __ENV.KEY (repeatable)' })
      .option('system-env', { type: 'boolean', default: true, describe: 'expose the system environment to __ENV and read LLMPERF_* from it (--no-system-env)' })
      .example('$0 inspect scripts-examples/quickstart.ts', 'the plan and every resolved option with its source')
      .example('$0 inspect chat.ts --config staging.json -e RATE=20', 'check what a config file and variables change')
      .example('LLMPERF_VUS=10 $0 inspect chat.ts --json', 'machine-readable; the env layer replaces the scenarios')
      .epilogue(
        'Layers, lowest first: default < config (--config) < script (export const options) < env (LLMPERF_*) < cli (flags). ' +
          'The "from" column names the layer each value came from. The script\'s init code runs once (datasets load) but no request is sent.',
      ) as unknown as Argv<InspectArgs>,
  handler: async (a) => {
    try {
      const r = await inspectScript({
        script: { path: a.script },
        env: parseKeyValues(a.env, '--env'),
        systemEnv: a['system-env'],
        overrides: overridesFromArgs(a),
        ...sandboxFromArgs(a),
        ...(a.config ? { config: readConfigFile(a.config) } : {}),
      });
      process.stdout.write(a.json ? JSON.stringify(inspectJson(r), null, 2) + '\n' : renderInspect(r));
      process.exitCode = 0;
    } catch (e) {
      failGracefully(e);
    }
  },
};
