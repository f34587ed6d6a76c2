/**
 * replay: replays a Mooncake-style JSONL trace (`{timestamp, input_length, output_length, hash_ids?}`
 * a line, see runtime/datasets/replay.ts): one iteration per record, started at the record's
 * timestamp (relative to the first record) times `timeScale` (0.5 = twice as fast), on an idle VU as
 * the arrival-rate executors do (preAllocatedVUs / maxVUs; no idle VU = a dropped iteration).
 *
 * The iteration sees its record as `exec.scenario.replay` (types/execution.d.ts): index, timestamp,
 * offset, inputLength, outputLength, hashIds, line, and `prompt`, a text of about inputLength tokens
 * whose leading blocks follow hash_ids (equal ids, equal text: the trace's prefix sharing), built on
 * the host with the run's tokenizer when one is configured (else one word ≈ one token).
 *
 * The trace is read by prepare(), before the run is planned, relative to the script's folder.
 * `skip` leaves out the first records (the replay starts at the next one's time) and `iterations`
 * replays at most that many records: a replay of part of a trace, e.g. a warm-up then the rest.
 * The trace may also be evalscope's workload_trace (`{"body", "timestamp" (seconds), ...}` a line).
 */
import path from 'node:path';
import { ConfigError } from '../errors.ts';
import { loadReplayTrace, promptForLength } from '../datasets/replay.ts';
import type { ReplayIterationData } from '../vu/protocol.ts';
import { fmt, runArrivals } from './loop.ts';
import { ownsArrival } from './segment.ts';
import type { ExecutorContext, ExecutorDef, ReplayConfig, ReplayEntry } from './types.ts';

export const replay: ExecutorDef<ReplayConfig> = {
  parse(raw, common, f) {
    f.only(['trace', 'timeScale', 'duration', 'preAllocatedVUs', 'maxVUs', 'skip', 'iterations']);
    const trace = raw.trace;
    if (typeof trace !== 'string' || trace === '') {
      throw new ConfigError(`scenarios.${common.name}.trace is required: the path of a JSONL trace ({"timestamp": ms, "input_length": n, "output_length": n, "hash_ids": [...]} a line), relative to the script`);
    }
    const timeScale = f.num('timeScale', 1);
    if (!(timeScale > 0)) throw new ConfigError(`scenarios.${common.name}.timeScale must be > 0 (0.5 replays twice as fast, 2 half as fast)`);
    const pre = f.int('preAllocatedVUs', 10, 0);
    return {
      ...common,
      executor: 'replay',
      trace,
      timeScale,
      durationMs: f.duration('duration', 0),
      skip: f.int('skip', 0, 0),
      iterations: f.int('iterations', 0, 0),
      preAllocatedVUs: pre,
      maxVUs: Math.max(pre, f.int('maxVUs', Math.max(pre, 100), 0)),
    };
  },

  async prepare(c, env) {
    const records = await loadReplayTrace(env.checkRead ? env.checkRead(c.trace, 'replay trace') : c.trace, env.baseDir);
    const end = c.iterations > 0 ? Math.min(records.length, c.skip + c.iterations) : records.length;
    if (c.skip >= records.length) throw new ConfigError(`scenarios.${c.name}.skip (${c.skip}) leaves none of the trace's ${records.length} records to replay`);
    const t0 = records[c.skip]!.timestamp;
    const entries: ReplayEntry[] = [];
    for (let index = c.skip; index < end; index++) {
      const record = records[index]!;
      const offset = (record.timestamp - t0) * c.timeScale;
      if (c.durationMs > 0 && offset >= c.durationMs) continue;
      if (ownsArrival(index - c.skip, c.segment)) entries.push({ index, offset, record });
    }
    const tokenizer = await env.tokenizer();
    const out: ReplayConfig = { ...c, traceFile: path.resolve(env.baseDir, c.trace) };
    // not enumerable: the run directory's run.json lists scenario configs, not the whole trace
    Object.defineProperty(out, 'entries', { value: entries, enumerable: false });
    if (tokenizer) Object.defineProperty(out, 'tokenizer', { value: tokenizer, enumerable: false });
    return out;
  },

  plan(c) {
    const vus = `${c.preAllocatedVUs}-${c.maxVUs} VUs, gracefulStop: ${fmt(c.gracefulStopMs)}`;
    const scale = c.timeScale === 1 ? '' : `timeScale ${c.timeScale}, `;
    if (!c.entries) {
      return { preAllocatedVUs: c.preAllocatedVUs, maxVUs: c.maxVUs, durationMs: c.durationMs, iterations: null, description: `replay of ${c.trace} (${scale}${vus}; the trace is read when the run starts)` };
    }
    const span = spanOf(c.entries);
    return {
      preAllocatedVUs: c.preAllocatedVUs,
      maxVUs: c.maxVUs,
      durationMs: span + STOP_MARGIN_MS,
      iterations: c.entries.length,
      description: `replay of ${c.entries.length} requests from ${path.basename(c.trace)} over ${fmt(span)} (${scale}${vus})`,
    };
  },

  run(c, ctx) {
    const entries = c.entries;
    if (!entries) throw new Error(`scenarios.${c.name}: the replay trace was not read (prepare() did not run)`);
    let cursor = 0;
    // runArrivals calls iterate() or dropped() once per offset, in order: the cursor follows it
    const wrapped: ExecutorContext = {
      ...ctx,
      config: ctx.config,
      // once every record has had its turn, don't idle until the end of the plan's margin
      sleepUntil: (t) => (cursor >= entries.length ? Promise.resolve(!ctx.stopNew.aborted) : ctx.sleepUntil(t)),
      iterate: (vu, req) => {
        const e = entries[cursor++];
        return ctx.iterate(vu, e ? { ...req, replay: iterationData(e, c) } : req);
      },
      dropped: (n) => {
        cursor += n;
        ctx.dropped(n);
      },
    };
    return runArrivals(wrapped, entries.map((e) => e.offset), spanOf(entries) + STOP_MARGIN_MS, c.maxVUs);
  },
};

/**
 * The plan lasts this much past the last record, so that the engine's end-of-scenario timer never
 * races the last arrival (a late timer would drop it); the executor ends as soon as every record
 * has started.
 */
const STOP_MARGIN_MS = 1000;

/** From the first arrival to just after the last (runArrivals stops at offsets >= duration). */
function spanOf(entries: readonly ReplayEntry[]): number {
  return entries.length ? entries[entries.length - 1]!.offset + 1 : 0;
}

export function iterationData(e: ReplayEntry, c: ReplayConfig): ReplayIterationData {
  const r = e.record;
  return {
    index: e.index,
    timestamp: r.timestamp,
    offset: e.offset,
    inputLength: r.inputLength,
    outputLength: r.outputLength,
    hashIds: r.hashIds,
    prompt: promptForLength(c.tokenizer, r.inputLength, e.index, r.hashIds),
    line: r.line,
  };
}
