/**
 * Memory and scale: peak RSS (VmHWM) of the `llmperf run` process with N streaming VUs
 * (constant-vus against a slow mock so every VU holds an open stream most of the time).
 */
import path from 'node:path';
import { runLlmperfCli } from './clients.ts';
import { mockArgs } from './config.ts';
import type { BenchCtx, ScenarioOut } from './context.ts';
import { ROOT, runNode, startMock } from './procs.ts';
import { closedLoopScript } from './scripts.ts';
import { f, int } from './stats.ts';
import type { Row } from './table.ts';

/** The target applies to the largest VU count of the full size (5,000 VUs). */
const TARGET_VUS = 5000;
const TARGET_MIB = 1024;

export async function memory(ctx: BenchCtx): Promise<ScenarioOut> {
  const m = ctx.size.memory;
  const mock = await startMock(mockArgs(m));
  const rows: Row[] = [];
  const notes: Array<[string, string]> = [];
  try {
    // each VU count twice: one V8 context per VU (the default), then 16 VUs per context, the
    // setting for thousands of VUs (the target is judged on that one)
    const modes: Array<{ label: string; extra: string[]; judged: boolean }> = [
      { label: '', extra: [], judged: false },
      { label: ', --vus-per-context 16', extra: ['--vus-per-context', '16', '--vus-per-isolate', '512'], judged: true },
    ];
    for (const vus of m.vus) for (const mode of modes) {
      ctx.log(`memory: llmperf run, constant-vus ${vus} VUs${mode.label}, ${m.durationMs} ms`);
      const tag = `${vus}${mode.extra.length ? '-shared' : ''}`;
      const script = closedLoopScript(ctx.tmp, `memory-${tag}.js`, { vus, durationMs: m.durationMs, maxTokens: m.outputTokens });
      const l = await runLlmperfCli(script, mock.url, path.join(ctx.tmp, `memory-${tag}.json`), m.durationMs + 300_000, { extra: mode.extra });
      const judged = vus >= TARGET_VUS && mode.judged;
      rows.push({
        scenario: `Memory, ${int(vus)} streaming VUs${mode.label}`, measure: 'peak RSS (MiB)', llmperf: f(l.peakRssMiB, 0), baseline: '-',
        result: `${f(l.peakRssMiB, 0)} MiB (${f((l.peakRssMiB * 1024) / vus, 0)} KiB/VU)`,
        target: judged ? `< ${TARGET_MIB} MiB` : 'reported', pass: judged ? l.peakRssMiB < TARGET_MIB : null,
      });
      notes.push([`Memory, ${int(vus)} VUs${mode.label}`,
        `peak concurrency ${int(l.summary.llm.peakConcurrency)} requests in flight, ${int(l.summary.llm.requests)} requests, ` +
        `process wall time ${f(l.wallMs / 1000, 1)} s (run ${f(l.summary.llm.durationMs / 1000, 1)} s; the rest is start-up, VU initialisation and shutdown); ` +
        `mock ttft ${m.ttftMs} ms, itl ${m.itlMs} ms, ${m.outputTokens} tokens.`]);
    }
  } finally {
    await mock.stop();
  }
  return { rows, notes, appendix: [] };
}

interface MemPoint {
  samples: number;
  heapMiB: number;
  rssMiB: number;
  ms: number;
}

/** Flat: what the last checkpoint adds over the first. */
const FLAT_HEAP_MIB = 1;
const FLAT_RSS_MIB = 8;

/** Metric memory from the first to the last sample count (bench/metric-memory.ts, own process). */
export async function metricsMemory(ctx: BenchCtx): Promise<ScenarioOut> {
  const cps = ctx.size.metrics.samples;
  ctx.log(`metric memory: ${cps.map((n) => int(n)).join(' -> ')} samples`);
  const r = await runNode(1, ['--expose-gc', '--import', 'tsx', path.join(ROOT, 'bench', 'metric-memory.ts'), JSON.stringify(cps)], 300_000);
  if (r.code !== 0) throw new Error(`metric-memory exited with ${r.code}: ${r.stderr.trim().slice(-500)}`);
  const pts = JSON.parse(r.stdout.trim()) as MemPoint[];
  const a = pts[0]!;
  const b = pts[pts.length - 1]!;
  const name = `Metric memory, ${int(a.samples)} -> ${int(b.samples)} samples`;
  const dh = b.heapMiB - a.heapMiB;
  const dr = b.rssMiB - a.rssMiB;
  const perSample = (b.ms / (b.samples - a.samples)) * 1e6;
  return {
    rows: [
      { scenario: name, measure: 'heap + external growth (MiB)', llmperf: `${f(a.heapMiB, 1)} -> ${f(b.heapMiB, 1)}`, baseline: '-', result: `${dh >= 0 ? '+' : ''}${f(dh, 2)} MiB`, target: `< ${FLAT_HEAP_MIB} MiB (flat)`, pass: dh < FLAT_HEAP_MIB },
      { scenario: name, measure: 'RSS growth (MiB)', llmperf: `${f(a.rssMiB, 1)} -> ${f(b.rssMiB, 1)}`, baseline: '-', result: `${dr >= 0 ? '+' : ''}${f(dr, 2)} MiB`, target: `< ${FLAT_RSS_MIB} MiB (flat)`, pass: dr < FLAT_RSS_MIB },
    ],
    notes: [[name, `Registry.add on llm_ttft with 4 tags and one sub-metric (llm_ttft{scenario:chat}), values log-uniform 0.01 ms - 100 s; ${f(perSample, 0)} ns per sample.`]],
    appendix: [],
  };
}
