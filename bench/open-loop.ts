/**
 * Open-loop fidelity: `constant-arrival-rate` with Poisson arrivals (seed 1) at a low and a high
 * rate. The achieved rate is iterations started / scenario duration; the planned count is the
 * seeded schedule itself (runtime/executors/arrivals.ts), so "achieved / planned" is the client's
 * own fidelity and "achieved / target" adds the Poisson sampling noise (1/sqrt(N)).
 * llm_schedule_lag (actual - planned start) comes from the run's summary. Whether the run warns
 * when it falls behind is read from its stderr.
 */
import path from 'node:path';
import { arrivalOffsets, rateProfile } from '../runtime/executors/arrivals.ts';
import { runLlmperfCli, trend } from './clients.ts';
import { mockArgs } from './config.ts';
import type { BenchCtx, ScenarioOut } from './context.ts';
import { startMock } from './procs.ts';
import { openLoopScript } from './scripts.ts';
import { f, int, pct } from './stats.ts';
import type { Row } from './table.ts';

export function plannedArrivals(rate: number, durationMs: number, seed = 1): number {
  let n = 0;
  for (const off of arrivalOffsets(rateProfile(rate, [{ durationMs, target: rate }], 1000), 'poisson', seed)) {
    if (off >= durationMs) break;
    n++;
  }
  return n;
}

/** A line of llmperf's stderr saying the client falls behind its schedule (Node's own warnings excluded). */
const BEHIND = /\b(behind|schedule.?lag|lag|falling|keep up|dropped|late)\b/i;
const NODE_WARNING = /^\(node:\d+\)|^\(Use `node/;

export async function openLoop(ctx: BenchCtx): Promise<ScenarioOut> {
  const o = ctx.size.openLoop;
  const mock = await startMock(mockArgs(o));
  const rows: Row[] = [];
  const notes: Array<[string, string]> = [];
  const reqSeconds = (o.ttftMs + (o.outputTokens - 1) * o.itlMs) / 1000;
  try {
    for (const [i, { rate, durationMs }] of o.rates.entries()) {
      const pre = Math.ceil(rate * reqSeconds * 2.5) + 10;
      const script = openLoopScript(ctx.tmp, `open-loop-${rate}.js`, { rate, durationMs, preAllocatedVUs: pre, maxVUs: pre * 2, maxTokens: o.outputTokens });
      ctx.log(`open loop: Poisson ${rate} req/s for ${durationMs} ms (${pre}-${pre * 2} VUs)`);
      const s0 = await mock.stats();
      const l = await runLlmperfCli(script, mock.url, path.join(ctx.tmp, `open-loop-${rate}.json`), durationMs + 120_000);
      const s1 = await mock.stats();
      const s = l.summary;
      const started = s.iterations.completed + s.iterations.interrupted;
      const planned = plannedArrivals(rate, durationMs);
      const achieved = started / (durationMs / 1000);
      const p99 = trend(s, 'llm_schedule_lag', 'p(99)');
      const name = `Open loop, Poisson ${rate} req/s`;
      const low = i === 0;
      const dev = achieved / rate - 1;
      rows.push({
        scenario: name, measure: 'achieved rate (req/s)', llmperf: f(achieved, 1), baseline: '-', result: `${dev >= 0 ? '+' : ''}${pct(dev, 2)} vs target`,
        target: low ? 'within 1% of target' : 'reported', pass: low ? Math.abs(dev) <= 0.01 : null,
      });
      rows.push({
        scenario: name, measure: 'started / planned arrivals', llmperf: `${int(started)} / ${int(planned)}`, baseline: '-', result: pct(started / planned, 2),
        target: low ? '100%' : 'reported', pass: low ? started === planned : null,
      });
      rows.push({
        scenario: name, measure: 'llm_schedule_lag p99 (ms)', llmperf: f(p99, 3), baseline: '-', result: `${f(p99, 3)} ms`,
        target: low ? '< 2 ms' : 'reported', pass: low ? p99 < 2 : null,
      });
      const lines = l.stderr.split('\n').map((x) => x.trim()).filter(Boolean);
      const warned = lines.filter((x) => !NODE_WARNING.test(x) && BEHIND.test(x));
      const nodeWarnings = [...new Set(lines.filter((x) => /^\(node:\d+\) \w*Warning/.test(x)).map((x) => x.replace(/^\(node:\d+\) /, '')))];
      const behind = p99 > 2 || started < planned;
      rows.push({
        scenario: name, measure: 'warns when behind', llmperf: warned.length ? 'yes' : 'no', baseline: '-', result: behind ? 'client fell behind' : 'kept up',
        target: 'warns iff behind', pass: behind ? warned.length > 0 : null,
      });
      notes.push([name,
        `${f(durationMs / 1000, 1)} s, mock ttft ${o.ttftMs} ms, itl ${o.itlMs} ms, ${o.outputTokens} tokens, ${pre}-${pre * 2} VUs. ` +
        `Lag p50 ${f(trend(s, 'llm_schedule_lag', 'p(50)'), 3)} ms, p90 ${f(trend(s, 'llm_schedule_lag', 'p(90)'), 3)} ms, max ${f(trend(s, 'llm_schedule_lag', 'max'), 3)} ms; ` +
        `dropped iterations ${int(s.iterations.dropped)}; mock received ${int(s1.requests - s0.requests)} requests; ` +
        `Poisson noise on the count: ±${pct(1 / Math.sqrt(planned), 2)} (1 sigma); planned / target: ${pct(planned / (rate * durationMs / 1000), 2)}. ` +
        `Falling-behind warnings: ${warned.length ? warned.slice(0, 2).map((x) => JSON.stringify(x)).join('; ') : 'none'}` +
        `${nodeWarnings.length ? `; Node warnings on stderr: ${nodeWarnings.slice(0, 2).map((x) => JSON.stringify(x.slice(0, 160))).join('; ')}` : ''}.`]);
    }
  } finally {
    await mock.stop();
  }
  return { rows, notes, appendix: [] };
}
