#!/usr/bin/env -S node --no-node-snapshot
// Launcher. isolated-vm needs --no-node-snapshot on Node >= 20: the shebang passes it. The flags
// llmperf wants (bin/node-flags.js: also --single-threaded-gc --max-semi-space-size=2 on one core)
// that node was not started with are added by re-executing once; a --max-semi-space-size given to
// node wins.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { nodeFlags } from './node-flags.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const need = nodeFlags(availableParallelism(), process.env);
const given = (f) => process.execArgv.some((a) => a === f || (f.includes('=') && a.startsWith(f.slice(0, f.indexOf('=') + 1))));
const missing = need.filter((f) => !given(f));
if (missing.length === 0) {
  await import(cli);
} else {
  const child = spawn(process.execPath, [...missing, ...process.execArgv, cli, ...process.argv.slice(2)], {
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
