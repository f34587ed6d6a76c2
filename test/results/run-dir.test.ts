// The run directory of `llmperf run`: every file, SQLite rows that agree with the summary, the
// --out json/csv streams, non-TTY progress lines, secrets kept out, --no-save, --out-dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, tempFiles } from '../helpers.ts';
import { initHistograms } from '../../runtime/metrics/hdr.ts';
import { Registry, type EncodedRegistry } from '../../runtime/metrics/registry.ts';
import type { SummaryData } from '../../runtime/summary/data.ts';
import { CSV_HEADER } from '../../runtime/outputs/csv.ts';
import { chatScript, FAST_MOCK, onlyRunDir, withDb } from './helpers.ts';
import { STORE_SCHEMA_VERSION } from '../../runtime/results/store.ts';

const SECRET = 'sk-test-SECRET-4711';

test('a run leaves a run directory whose files agree with each other', async () => {
  const dir = tempFiles({ 'chat.ts': chatScript(60) });
  const r = await runCli(
    [
      'run', 'chat.ts', ...FAST_MOCK, '--mock', 'fault=http_500=0.25', '--mock', 'seed=7',
      '--out', 'json=points.jsonl', '--out', 'csv=points.csv', '--log-every-n-query', '10',
      '--api-key', SECRET, '--header', 'X-Api-Key=also-secret',
    ],
    { cwd: dir },
  );
  assert.equal(r.code, 0, r.stderr);
  const runDir = onlyRunDir(dir);
  assert.match(path.basename(runDir), /^chat-\d{8}-\d{6}$/);
  assert.match(r.stderr, new RegExp(`^results: llmperf-results/${path.basename(runDir)}$`, 'm'));
  for (const f of ['summary.json', 'requests.sqlite', 'metrics.hdr', 'report.html', 'run.json', 'timeline.json']) {
    assert.ok(existsSync(path.join(runDir, f)), `${f} in the run directory`);
  }
  assert.deepEqual(readdirSync(runDir).filter((f) => f.includes('.tmp') || f.endsWith('-wal')), [], 'no temp or WAL files left');

  const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8')) as SummaryData;
  assert.equal(summary.schemaVersion, 1);
  assert.equal(summary.llm.requests, 60);
  assert.ok(summary.llm.failed > 0 && summary.llm.failed < 60, `some failures from the mock (${summary.llm.failed})`);

  // SQLite rows against the summary: totals, failures, failures per error code, the run row.
  withDb(path.join(runDir, 'requests.sqlite'), (db) => {
    const n = db.prepare(`SELECT count(*) AS n, sum(ok = 0) AS failed FROM requests WHERE coalesce(error_code, '') <> 'ABORTED'`).get() as { n: number; failed: number };
    assert.equal(n.n, summary.llm.requests);
    assert.equal(n.failed, summary.llm.failed);
    const byCode = db.prepare('SELECT error_code AS code, count(*) AS n FROM requests WHERE error_code IS NOT NULL GROUP BY error_code').all() as Array<{ code: string; n: number }>;
    assert.deepEqual(Object.fromEntries(byCode.map((x) => [x.code, x.n])), summary.llm.errors);
    const ok = db.prepare('SELECT * FROM requests WHERE ok = 1 LIMIT 1').get() as Record<string, unknown>;
    assert.equal(ok.scenario, 'main');
    assert.equal(ok.output_tokens, 16);
    assert.equal(ok.output_token_source, 'usage');
    assert.equal((JSON.parse(String(ok.itl_ms)) as number[]).length, 15);
    assert.ok(typeof ok.ttft_ms === 'number' && (ok.ttft_ms as number) >= 20);
    assert.match(String(ok.request_body), /Say something/);
    assert.equal(typeof ok.response_text, 'string');
    assert.deepEqual(JSON.parse(String(ok.tags)).scenario, 'main');
    const run = db.prepare('SELECT * FROM runs').get() as Record<string, unknown>;
    assert.equal(run.run_id, path.basename(runDir));
    assert.equal(run.exit_code, 0);
    assert.equal(run.stop_reason, 'completed');
    assert.equal(db.pragma('user_version', { simple: true }), STORE_SCHEMA_VERSION);
  });

  // metrics.hdr re-summarises without the raw rows.
  await initHistograms();
  const reg = new Registry();
  reg.merge(JSON.parse(readFileSync(path.join(runDir, 'metrics.hdr'), 'utf8')) as EncodedRegistry);
  assert.equal(reg.get('llm_reqs')!.sink.value({ name: 'count' }, 1), 60);
  assert.equal(Math.round(reg.get('llm_ttft')!.sink.value({ name: 'p', arg: 50 }, 1) * 1000), Math.round(summary.llm.percentiles.llm_ttft!['p(50)']! * 1000));

  // --out json: k6's NDJSON, one Metric line per metric, Points matching the counts.
  const lines = readFileSync(path.join(dir, 'points.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; metric: string; data: { value?: number; time?: string; tags?: Record<string, string> | null; type?: string } });
  const defs = lines.filter((l) => l.type === 'Metric').map((l) => l.metric);
  assert.equal(new Set(defs).size, defs.length, 'one Metric line per metric');
  assert.deepEqual(lines.find((l) => l.type === 'Metric' && l.metric === 'llm_ttft')!.data.type, 'trend');
  const reqPoints = lines.filter((l) => l.type === 'Point' && l.metric === 'llm_reqs');
  assert.equal(reqPoints.length, 60);
  assert.ok(!Number.isNaN(Date.parse(reqPoints[0]!.data.time!)));
  assert.equal(reqPoints[0]!.data.tags!.scenario, 'main');
  const failedPoints = lines.filter((l) => l.type === 'Point' && l.metric === 'llm_req_failed');
  assert.equal(failedPoints.reduce((a, l) => a + l.data.value!, 0), summary.llm.failed);
  assert.equal(lines.filter((l) => l.type === 'Point' && l.metric === 'llm_ttft').length, summary.llm.succeeded);
  // every ITL gap in requests.sqlite is the streamed point's value rounded to the µs
  const streamedItl = lines.filter((l) => l.type === 'Point' && l.metric === 'llm_itl').map((l) => Math.round(l.data.value! * 1000) / 1000).sort((a, b) => a - b);
  const storedItl = withDb(path.join(runDir, 'requests.sqlite'), (db) =>
    (db.prepare('SELECT itl_ms FROM requests WHERE ok = 1').all() as Array<{ itl_ms: string }>).flatMap((row) => JSON.parse(row.itl_ms) as number[]),
  ).sort((a, b) => a - b);
  assert.equal(storedItl.length, streamedItl.length);
  assert.deepEqual(storedItl, streamedItl);

  // --out csv: k6's columns, rows matching the counts, error codes in their column.
  const csv = readFileSync(path.join(dir, 'points.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], CSV_HEADER);
  const cols = CSV_HEADER.split(',');
  const rows = csv.slice(1).map((l) => l.split(','));
  assert.ok(rows.every((c) => c.length === cols.length), 'every row has every column');
  assert.equal(rows.filter((c) => c[0] === 'llm_reqs').length, 60);
  const failedCsv = rows.filter((c) => c[0] === 'llm_req_failed' && Number(c[2]) === 1);
  assert.equal(failedCsv.length, summary.llm.failed);
  assert.ok(failedCsv.every((c) => c[cols.indexOf('error_code')] === 'HTTP_5XX' && c[cols.indexOf('status')] === '500'));

  // Progress on a non-TTY stderr: a line every 10 requests, then the final line.
  const progress = r.stderr.split('\n').filter((l) => /^\[\s*\d+(\.\d)?s\] main\s/.test(l));
  assert.equal(progress.length, 6, r.stderr);
  assert.match(progress[5]!, /reqs 60\b/);
  assert.match(r.stderr, /^main {2}done: 60 requests in /m);

  // Secrets never reach the disk.
  for (const f of readdirSync(runDir)) assert.ok(!readFileSync(path.join(runDir, f)).includes(SECRET), `${f} holds no API key`);
  const runJson = JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8')) as { argv: string[]; llmperf: string; node: string; exitCode: number };
  assert.ok(runJson.argv.includes('[REDACTED]') && runJson.argv.includes('X-Api-Key=[REDACTED]'), runJson.argv.join(' '));
  assert.equal(runJson.node, process.version);
  assert.equal(runJson.exitCode, 0);
});

test('--no-save leaves nothing; -q prints no progress', async () => {
  const dir = tempFiles({ 'chat.ts': chatScript(8) });
  const r = await runCli(['run', 'chat.ts', ...FAST_MOCK, '--no-save', '-q', '--log-every-n-query', '1'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(dir), ['chat.ts']);
  assert.doesNotMatch(r.stderr, /results:|\] main |done: /);
  assert.match(r.stdout, /8 total, 8 succeeded/);
});

test('--out-dir writes exactly there and refuses a folder that already holds a run; --no-store-bodies stores no text', async () => {
  const dir = tempFiles({ 'chat.ts': chatScript(8) });
  const r = await runCli(['run', 'chat.ts', ...FAST_MOCK, '--out-dir', 'out/one', '--no-store-bodies', '-q'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^results: out\/one$/m);
  assert.ok(!existsSync(path.join(dir, 'llmperf-results')));
  withDb(path.join(dir, 'out/one/requests.sqlite'), (db) => {
    const x = db.prepare('SELECT count(*) AS n, count(request_body) AS bodies, count(response_text) AS texts FROM requests').get();
    assert.deepEqual(x, { n: 8, bodies: 0, texts: 0 });
  });
  const again = await runCli(['run', 'chat.ts', ...FAST_MOCK, '--out-dir', 'out/one', '-q'], { cwd: dir });
  assert.equal(again.code, 104, again.stderr);
  assert.match(again.stderr, /out\/one already holds a run/);
});

test('--out with an unknown kind is a config error naming the kinds', async () => {
  const dir = tempFiles({ 'chat.ts': chatScript(4) });
  const r = await runCli(['run', 'chat.ts', '--out', 'jsn=x.jsonl', '--no-save'], { cwd: dir });
  assert.equal(r.code, 104);
  assert.match(r.stderr, /unknown output "jsn" \(did you mean json\?\); use one of json, csv/);
});
