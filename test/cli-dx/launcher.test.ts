// bin/llmperf.js: adds --no-node-snapshot (isolated-vm) and, when the process is confined to one
// core, --single-threaded-gc and a small young generation (short GC pauses of the timing thread).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { BIN } from '../helpers.ts';

function childFlags(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  return new Promise((resolve, reject) => {
    // `llmperf mock` keeps running: read the node process that serves it, then stop it
    const p = spawn('taskset', ['-c', '0', process.execPath, BIN, 'mock', '--port', '0', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`the mock did not start: ${out}`)); }, 20_000);
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!/listening|http:\/\/127\.0\.0\.1:\d+/.test(out)) return;
      clearTimeout(timer);
      const pid = childrenOf(p.pid!)[0] ?? String(p.pid); // no child: the launcher imported the CLI itself
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      p.once('exit', () => resolve(argv));
      p.kill('SIGTERM');
    });
  });
}

/** Pids whose parent is `ppid`, from /proc (no procps needed). */
function childrenOf(ppid: number): string[] {
  const out: string[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces, so split after its closing parenthesis
      const ppidField = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
      if (Number(ppidField) === ppid) out.push(d);
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

const canPin = process.platform === 'linux' && spawnSync('taskset', ['-c', '0', 'true']).status === 0;

test('confined to one core, the launcher runs node with --single-threaded-gc --max-semi-space-size=2 (LLMPERF_GC_THREADS=1 opts out)', { skip: !canPin && 'needs taskset (util-linux) on Linux' }, async () => {
  const one = await childFlags([]);
  assert.ok(one.includes('--no-node-snapshot'), one.join(' '));
  assert.ok(one.includes('--single-threaded-gc'), one.join(' '));
  assert.ok(one.includes('--max-semi-space-size=2'), one.join(' '));
  const optOut = await childFlags([], { ...process.env, LLMPERF_GC_THREADS: '1' });
  assert.ok(optOut.includes('--no-node-snapshot'), optOut.join(' '));
  assert.ok(!optOut.includes('--single-threaded-gc'), optOut.join(' '));
  assert.ok(!optOut.some((a) => a.startsWith('--max-semi-space-size')), optOut.join(' '));
});
