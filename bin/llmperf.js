#!/usr/bin/env -S node --no-node-snapshot
// Launcher. isolated-vm needs --no-node-snapshot on Node >= 20: the shebang passes it. The flags
// llmperf wants (bin/node-flags.js: also --single-threaded-gc --max-semi-space-size=2 on one core)
// that node was not started with are added by re-executing once; a --max-semi-space-size given to
// node wins.
//
// The re-executed child is this launcher's to stop:
//  - it runs in a session of its own, so that a terminal's Ctrl-C reaches only the launcher, which
//    passes SIGINT, SIGTERM and SIGHUP on exactly once each (a first signal stops gracefully, a
//    second at once: the child must not see the terminal's copy and the launcher's);
//  - it holds the read end of a pipe (fd 3, LLMPERF_LAUNCHER_FD) whose write end only the launcher
//    has: when the launcher dies in any way, SIGKILL included, the pipe closes and the child stops
//    (cli/launcher-link.ts), so it never outlives the launcher.
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
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
    detached: true,
    env: { ...process.env, LLMPERF_LAUNCHER_FD: '3' },
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      try {
        child.kill(sig);
      } catch {
        /* already gone */
      }
    });
  }
  child.on('exit', (code, signal) => {
    if (signal) {
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.removeAllListeners(sig);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
}
