/**
 * Startup: from spawning `llmperf run` (a one-request script, --url to a running mock) to the
 * mock receiving its request (the mock's trace `recv`, CLOCK_MONOTONIC, keyed by the
 * x-request-id header given with --header). One warm-up run first (disk cache, compile cache).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { mockArgs } from './config.ts';
import type { BenchCtx, ScenarioOut } from './context.ts';
import { CLI, llmperfNodeFlags, monoMs, runNode, startMock } from './procs.ts';
import { oneShotScript } from './scripts.ts';
import { f, median } from './stats.ts';

const TARGET_MS = 500;

export async function startup(ctx: BenchCtx): Promise<ScenarioOut> {
  const runs = ctx.size.startup.runs;
  const traceFile = path.join(ctx.tmp, 'startup-trace.jsonl');
  const mock = await startMock([...mockArgs({ ttftMs: 0, itlMs: 0, outputTokens: 4 }), '--trace-file', traceFile]);
  const script = oneShotScript(ctx.tmp, 'startup.js', 4);
  const spawned = new Map<string, number>();
  const walls: number[] = [];
  try {
    for (let k = 0; k <= runs; k++) {
      const rid = `startup-${k}`;
      ctx.log(`startup: run ${k === 0 ? 'warm-up' : `${k}/${runs}`}`);
      spawned.set(rid, monoMs());
      const r = await runNode(1, [...llmperfNodeFlags(), CLI, 'run', script, '--url', mock.url, '--no-test-connection', '--quiet', '--no-color', '--out-dir', path.join(ctx.tmp, `startup-${k}-run`), '--header', `x-request-id=${rid}`], 60_000);
      if (r.code !== 0) throw new Error(`llmperf run exited with ${r.code}: ${r.stderr.trim().slice(-500)}`);
      if (k > 0) walls.push(r.wallMs);
    }
  } finally {
    await mock.stop();
  }
  const recv = new Map<string, number>();
  for (const line of readFileSync(traceFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const t = JSON.parse(line) as { requestId?: string; recv: number };
    if (t.requestId && !recv.has(t.requestId)) recv.set(t.requestId, t.recv);
  }
  const lat: number[] = [];
  for (let k = 1; k <= runs; k++) {
    const r = recv.get(`startup-${k}`);
    const s = spawned.get(`startup-${k}`);
    if (r !== undefined && s !== undefined) lat.push(r - s);
  }
  const med = median(lat);
  return {
    rows: [{
      scenario: 'Startup (warm cache)', measure: 'spawn -> first request (ms)', llmperf: f(med, 0), baseline: '-',
      result: `median ${f(med, 0)} ms (min ${f(Math.min(...lat), 0)}, max ${f(Math.max(...lat), 0)})`, target: `< ${TARGET_MS} ms`,
      pass: lat.length === runs && med < TARGET_MS,
    }],
    notes: [['Startup', `${runs} runs after a warm-up; whole process (spawn to exit) median ${f(median(walls), 0)} ms.`]],
    appendix: [],
  };
}
