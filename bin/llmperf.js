#!/usr/bin/env -S node --no-node-snapshot
// Launcher. isolated-vm needs --no-node-snapshot on Node >= 20: the shebang passes it. When started
// some other way without it (`node bin/llmperf.js`), re-exec once with it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (process.execArgv.includes('--no-node-snapshot')) {
  await import(cli);
} else {
  const child = spawn(process.execPath, ['--no-node-snapshot', ...process.execArgv, cli, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  // Ctrl-C reaches the child through the terminal's process group; don't double it. SIGTERM and
  // SIGHUP are usually sent to this pid alone, so pass them on.
  process.on('SIGINT', () => {});
  for (const sig of ['SIGTERM', 'SIGHUP']) {
    process.on(sig, () => { try { child.kill(sig); } catch { /* already gone */ } });
  }
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
