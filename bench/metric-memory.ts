/**
 * Metric memory micro-bench (run in its own process with --expose-gc): adds samples to a Registry
 * (a time trend with run tags and one tag-filtered sub-metric, as a threshold creates) and measures
 * heap (used + external, which holds the WASM histograms) and RSS after a GC at each checkpoint.
 *
 *   node --expose-gc --import tsx bench/metric-memory.ts '[1000000,10000000]'
 * Prints one JSON line: [{samples, heapMiB, rssMiB, ms}, ...].
 */
import { initHistograms } from '../runtime/metrics/hdr.ts';
import { Registry } from '../runtime/metrics/registry.ts';

interface MemPoint {
  samples: number;
  heapMiB: number;
  rssMiB: number;
  /** ms spent adding samples since the previous checkpoint */
  ms: number;
}

const MiB = 1024 * 1024;

function measure(samples: number, ms: number): MemPoint {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { samples, heapMiB: (m.heapUsed + m.external) / MiB, rssMiB: m.rss / MiB, ms };
}

async function metricMemory(checkpoints: number[]): Promise<MemPoint[]> {
  await initHistograms();
  const reg = new Registry();
  reg.sinkFor('llm_ttft{scenario:chat}');
  const tags = { scenario: 'chat', model: 'mock-llm', api: 'openai', status: '200' };
  // A deterministic, wide, long-tailed distribution (log-uniform from 0.01 ms to 100 s).
  let x = 12345;
  const out: MemPoint[] = [];
  let n = 0;
  for (const cp of [...checkpoints].sort((a, b) => a - b)) {
    const t0 = performance.now();
    for (; n < cp; n++) {
      x = (x * 1103515245 + 12345) >>> 0;
      reg.add('llm_ttft', 0.01 * Math.pow(10, 7 * (x / 4294967296)), tags, 0);
    }
    out.push(measure(n, performance.now() - t0));
  }
  return out;
}

const cps = JSON.parse(process.argv[2] ?? '[1000000,10000000]') as number[];
process.stdout.write(JSON.stringify(await metricMemory(cps)) + '\n');
