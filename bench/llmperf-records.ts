/**
 * Runs an llmperf script through the programmatic API (run() from the built dist/index.js, as
 * `llmperf run` does, run directory included) and keeps each request's record: the benchmark's
 * way to get per-request timings (startMono, ttft, itl) for the accuracy comparison with the
 * mock's trace.
 *
 *   node --no-node-snapshot --import tsx bench/llmperf-records.ts '{"script":"s.js","url":"http://127.0.0.1:8000/v1","recordsFile":"r.jsonl","outDir":"run"}'
 *
 * Prints one JSON line ({exitCode, requests, durationMs}); writes one JSON line per record
 * ({vu, iter, ok, startMono, ttft, e2e, itl, chunks}) to recordsFile.
 */
import { writeFileSync } from 'node:fs';
import type { RequestRecord } from '../runtime/llm/types.ts';

// The built bundle (dist/index.js), the same code `llmperf run` executes, typed by its source.
const { run } = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof import('../runtime/api.ts');

interface Config {
  script: string;
  url: string;
  recordsFile: string;
  /** the run directory (summary.json, requests.sqlite, ...), as `llmperf run --out-dir` writes */
  outDir: string;
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as Config;
const records: RequestRecord[] = [];
const out = await run({
  script: cfg.script,
  overrides: { url: cfg.url },
  testConnection: false, // the connection test would be one more request in the mock's counts
  outDir: cfg.outDir,
  listeners: [{ onRecord(r) { records.push(r); } }],
  log: (l) => process.stderr.write(l + '\n'),
});
writeFileSync(cfg.recordsFile, records.map((r) => JSON.stringify({
  vu: r.vu, iter: r.iter, ok: r.ok, startMono: r.startMono, ttft: r.ttft, e2e: r.e2e, itl: r.itl, chunks: r.chunks,
})).join('\n') + '\n');
process.stdout.write(JSON.stringify({ exitCode: out.exitCode, requests: out.summary.llm.requests, durationMs: out.summary.llm.durationMs }) + '\n');
process.exit(0);
