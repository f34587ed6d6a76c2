/**
 * Client ceiling: the mock answers as fast as it can (ttft 0, itl 0, eventsPerWrite 4), so the
 * client is the bottleneck. N closed loops for a fixed time, baseline then llmperf (`llmperf run`,
 * constant-vus, default outputs), repeated `reps` times; the best run of each is compared. Events
 * are counted by the client and, from the mock's /mock/stats, on the server side.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { runBaselineProc, runDirFor, runLlmperfCli } from './clients.ts';
import { mockArgs } from './config.ts';
import { profileAppendix, profileSubdir, type BenchCtx, type ScenarioOut } from './context.ts';
import { startMock } from './procs.ts';
import { closedLoopScript } from './scripts.ts';
import { f, int, pct } from './stats.ts';

interface Obs {
  reqPerS: number;
  evPerS: number;
  /** events counted by the client */
  events: number;
  /** content events written by the mock (completed requests x events per request) */
  serverEvents: number;
  mockCpu: number;
  clientCpu: number;
  /** CPU seconds: whole process, main thread, wall seconds of the process */
  cpuS: number;
  mainCpuS: number;
  wallS: number;
}

export async function ceiling(ctx: BenchCtx): Promise<ScenarioOut> {
  const c = ctx.size.ceiling;
  const mock = await startMock([...mockArgs({ ttftMs: 0, itlMs: 0, outputTokens: c.outputTokens }), '--events-per-write', '4']);
  const script = closedLoopScript(ctx.tmp, 'ceiling.js', { vus: c.streams, durationMs: c.durationMs, maxTokens: c.outputTokens });
  const prof = profileSubdir(ctx, 'ceiling');
  if (prof) mkdirSync(prof, { recursive: true });
  const base: Obs[] = [];
  const mine: Obs[] = [];
  /** llmperf with 2 I/O threads: indicative here, the mock and the client share the machine's 2 cores */
  const two: Obs[] = [];
  const timeout = c.durationMs + 120_000;
  try {
    for (let rep = 0; rep < c.reps; rep++) {
      ctx.log(`ceiling: baseline, ${c.streams} streams, ${c.durationMs} ms (rep ${rep + 1}/${c.reps})`);
      let s0 = await mock.stats();
      let cpu0 = mock.cpuS();
      const b = await runBaselineProc({ url: mock.url, concurrency: c.streams, durationMs: c.durationMs, maxTokens: c.outputTokens }, timeout);
      let s1 = await mock.stats();
      base.push({
        reqPerS: b.result.ok / (b.result.durationMs / 1000),
        evPerS: b.result.events / (b.result.durationMs / 1000),
        events: b.result.events,
        serverEvents: (s1.completed - s0.completed - (s1.aborted - s0.aborted)) * c.outputTokens,
        mockCpu: (mock.cpuS() - cpu0) / (b.wallMs / 1000),
        clientCpu: b.cpuS / (b.wallMs / 1000),
        cpuS: b.cpuS, mainCpuS: b.mainCpuS, wallS: b.wallMs / 1000,
      });

      for (const io of [1, 2]) {
        ctx.log(`ceiling: llmperf run, constant-vus ${c.streams} VUs, ${c.durationMs} ms, --io-threads ${io} (rep ${rep + 1}/${c.reps})`);
        s0 = await mock.stats();
        cpu0 = mock.cpuS();
        const file = path.join(ctx.tmp, `ceiling-${rep}-io${io}.json`);
        const l = await runLlmperfCli(script, mock.url, file, timeout, { extra: ['--io-threads', String(io)], ...(rep === 0 && io === 1 && prof ? { cpuProfDir: prof } : {}) });
        s1 = await mock.stats();
        const dur = l.summary.llm.durationMs / 1000;
        const ok = l.summary.llm.succeeded;
        // Output events the client counted: the chunks of every successful request (an itl-0 mock's
        // streams arrive in bursts, so they give no ITL samples to count: llm_not_streamed)
        const events = chunksCounted(runDirFor(file));
        (io === 1 ? mine : two).push({
          reqPerS: ok / dur,
          evPerS: events / dur,
          events,
          serverEvents: (s1.completed - s0.completed - (s1.aborted - s0.aborted)) * c.outputTokens,
          mockCpu: (mock.cpuS() - cpu0) / (l.wallMs / 1000),
          clientCpu: l.cpuS / (l.wallMs / 1000),
          cpuS: l.cpuS, mainCpuS: l.mainCpuS, wallS: l.wallMs / 1000,
        });
      }
    }
  } finally {
    await mock.stop();
  }
  const best = (xs: Obs[]): Obs => xs.reduce((a, x) => (x.evPerS > a.evPerS ? x : a));
  const b = best(base);
  const m = best(mine);
  const m2 = best(two);
  const rr = m.reqPerS / b.reqPerS;
  const er = m.evPerS / b.evPerS;
  const name = `Client ceiling (${c.streams} streams)`;
  return {
    rows: [
      { scenario: name, measure: 'SSE events/s (1 I/O thread)', llmperf: int(m.evPerS), baseline: int(b.evPerS), result: pct(er), target: '>= 85% of baseline', pass: er >= 0.85 },
      { scenario: name, measure: 'SSE events/s (2 I/O threads, indicative)', llmperf: int(m2.evPerS), baseline: int(b.evPerS), result: pct(m2.evPerS / b.evPerS), target: 'reported (the mock shares the 2 cores)', pass: null },
      { scenario: name, measure: 'mock CPU (share of its core)', llmperf: pct(m.mockCpu, 0), baseline: pct(b.mockCpu, 0), result: '', target: 'reported: a saturated mock caps both', pass: null },
      { scenario: name, measure: 'requests/s', llmperf: int(m.reqPerS), baseline: int(b.reqPerS), result: pct(rr), target: '>= 85% of baseline', pass: rr >= 0.85 },
      {
        scenario: name, measure: 'client events / mock events', llmperf: `${int(m.events)} / ${int(m.serverEvents)}`, baseline: `${int(b.events)} / ${int(b.serverEvents)}`,
        result: `${f(m.events / m.serverEvents, 4)} / ${f(b.events / b.serverEvents, 4)}`, target: '1.0000 (cross-check)',
        pass: Math.abs(m.events / m.serverEvents - 1) < 1e-3 && Math.abs(b.events / b.serverEvents - 1) < 1e-3,
      },
    ],
    notes: [[
      name,
      `mock ttft 0, itl 0, ${c.outputTokens} tokens, events-per-write 4, ${f(c.durationMs / 1000, 1)} s per run, best of ${c.reps}. ` +
      `Mock CPU during the runs: ${pct(b.mockCpu, 0)} (baseline) vs ${pct(m.mockCpu, 0)} (llmperf) of its core; client CPU over the process life: ${pct(b.clientCpu, 0)} vs ${pct(m.clientCpu, 0)} ` +
      `(CPU s total / main thread / process wall s: baseline ${f(b.cpuS, 1)} / ${f(b.mainCpuS, 1)} / ${f(b.wallS, 1)}, llmperf ${f(m.cpuS, 1)} / ${f(m.mainCpuS, 1)} / ${f(m.wallS, 1)}; ` +
      'llmperf\'s other threads are the requests.sqlite writer and V8 compiler threads, sharing the pinned core; VU code runs inline on the main thread and GC is single-threaded there). ' +
      `All runs: baseline ${base.map((x) => int(x.evPerS)).join(', ')} ev/s; llmperf ${mine.map((x) => int(x.evPerS)).join(', ')} ev/s with 1 I/O thread, ${two.map((x) => int(x.evPerS)).join(', ')} ev/s with 2 ` +
      '(the client is pinned to one core, so 2 I/O threads share it with the main thread: the figure shows the cost of the extra thread, not what a machine with cores to spare gains).',
    ]],
    appendix: profileAppendix(`llmperf run, client ceiling (${c.streams} VUs)`, prof),
  };
}

/** Output events of the successful requests of a run directory, as the client counted them. */
function chunksCounted(runDir: string): number {
  const db = new Database(path.join(runDir, 'requests.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT coalesce(sum(chunks), 0) AS n FROM requests WHERE ok = 1').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
