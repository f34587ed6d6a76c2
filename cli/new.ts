/** `llmperf new [file]`: parsing only; the work is runtime/templates. */
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { createScript, DEFAULT_SCRIPT, packageRoot, TEMPLATE_NAMES, TEMPLATES, typeCheckCommands, type TemplateName } from '../runtime/templates/index.ts';
import { fail } from './common.ts';

interface NewArgs {
  file: string;
  template: TemplateName;
}

export const newCommand: CommandModule<object, NewArgs> = {
  command: 'new [file]',
  describe: 'Write a commented, runnable test script from a template (and a tsconfig.json for editor types)',
  builder: (y: Argv<object>): Argv<NewArgs> =>
    y
      .positional('file', { type: 'string', default: DEFAULT_SCRIPT, describe: 'the script to create (.ts); never overwritten' })
      .option('template', { alias: 't', choices: TEMPLATE_NAMES, default: 'chat' as TemplateName, describe: 'what the script does (see below)' })
      .example('$0 new', `write ${DEFAULT_SCRIPT}: a closed-loop chat benchmark`)
      .example('$0 new load/poisson.ts --template open-loop', 'Poisson arrivals at a fixed rate')
      .example('$0 new chat-history.ts -t multi-turn', 'conversations that resend their history')
      .example('$0 new gate.ts -t thresholds && $0 run gate.ts', 'a CI gate: exit 99 when an SLO threshold fails')
      .epilogue(
        'Templates:\n' +
          TEMPLATE_NAMES.map((n) => `  ${n.padEnd(12)}${TEMPLATES[n].description}`).join('\n') +
          '\n\nA tsconfig.json is written next to the script when the folder has none, so that editors and tsc find the types of llmperf, llmperf/llm, ... ' +
          '(through the installed package, or with paths to this llmperf\'s types/ folder when it runs from a global or npx install). ' +
          'It leaves out the results folders (llmperf-results/, outputs/) and node_modules. To type-check with tsc, add TypeScript as a devDependency: ' +
          'npm install --save-dev typescript && npx tsc -p tsconfig.json (a bare `npx tsc` without it fetches an unrelated package).',
      ) as unknown as Argv<NewArgs>,
  handler: (a) => {
    try {
      const r = createScript(a.file, a.template);
      const rel = (p: string) => path.relative(process.cwd(), p) || p;
      const lines = [`created ${rel(r.script)} (template ${a.template})`];
      if (r.tsconfig) lines.push(`created ${rel(r.tsconfig)} (types ${r.typesVia === 'package' ? 'from the installed llmperf package' : `mapped to ${path.join(packageRoot(), 'types')}`})`);
      lines.push('', 'next:', `  llmperf inspect ${rel(r.script)}    # the plan and the resolved options`, `  llmperf run ${rel(r.script)}        # run it (against the built-in mock server unless you give --url)`);
      const [install, check] = typeCheckCommands(path.dirname(r.script));
      lines.push('', 'type-check it (editors read tsconfig.json on their own; tsc needs TypeScript as a devDependency):', `  ${install}`, `  ${check}`);
      process.stdout.write(lines.join('\n') + '\n');
      process.exitCode = 0;
    } catch (e) {
      fail(e);
    }
  },
};
