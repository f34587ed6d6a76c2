/**
 * `--log-every-n-query N`: a progress line every N finished requests, from the request records
 * (a SampleListener's onRecord). The line goes to the run's log; it never blocks.
 */
import type { SampleListener } from '../engine/emitter.ts';
import type { RequestRecord } from '../llm/types.ts';

export function progressListener(every: number, total: number, log: (line: string) => void, label = ''): SampleListener {
  let done = 0;
  let ok = 0;
  let latency = 0;
  let ttft = 0;
  let ttftN = 0;
  let outTokens = 0;
  let firstStart = Infinity;
  return {
    onRecord(r: RequestRecord) {
      if (every <= 0 || r.errorCode === 'ABORTED') return;
      done++;
      if (r.startWall < firstStart) firstStart = r.startWall;
      if (r.ok) {
        ok++;
        latency += r.e2e ?? 0;
        if (r.ttft !== null) {
          ttft += r.ttft;
          ttftN++;
        }
        outTokens += r.outputTokens ?? 0;
      }
      if (done % every !== 0 && done !== total) return;
      const sec = Math.max(1e-3, (Date.now() - firstStart) / 1000);
      const avg = (sum: number, n: number) => (n ? (sum / n / 1000).toFixed(4) : '-');
      log(
        `${label}${done}/${total} requests: ${ok} succeeded, ${done - ok} failed | ${(ok / sec).toFixed(2)} req/s, ` +
          `${(outTokens / sec).toFixed(1)} output tok/s | avg latency ${avg(latency, ok)} s, avg TTFT ${avg(ttft, ttftN)} s`,
      );
    },
  };
}
