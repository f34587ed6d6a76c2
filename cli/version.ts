/** `llmperf version`: the version, as k6's `k6 version` prints it (`k6 v0.50.0 (go1.22.1, linux/amd64)`). */
import type { CommandModule } from 'yargs';
import { VERSION } from '../runtime/summary/data.ts';

export function versionLine(): string {
  return `llmperf v${VERSION} (node ${process.version}, ${process.platform}/${process.arch})`;
}

export const versionCommand: CommandModule = {
  command: 'version',
  describe: 'Print the version of llmperf and of Node.js it runs on',
  builder: (y) => y.example('$0 version', 'llmperf v0.1.0 (node v20.19.0, linux/x64), as `k6 version`'),
  handler: () => {
    process.stdout.write(versionLine() + '\n');
  },
};
