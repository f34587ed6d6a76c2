/** `llmperf report` end to end with the built CLI: a real run directory from `llmperf run`, then rebuild, --out, --open, queries, errors. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, runCli } from '../helpers.ts';

const SCRIPT = `
import llm from 'llmperf/llm';
export const options = { scenarios: { quick: { executor: 'shared-iterations', vus: 4, iterations: 24, maxDuration: '30s' } } };
export default async function () {
  await llm.chat({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 16 });
}`;

describe('llmperf report', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'llmperf-report-cli-'));
  const runDir = path.join(tmp, 'run');

  before(async () => {
    const b = spawnSync(process.execPath, ['build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    writeFileSync(path.join(tmp, 'quick.ts'), SCRIPT);
    const r = await runCli(['run', path.join(tmp, 'quick.ts'), '--out-dir', runDir, '-q', '--mock', 'ttft=10ms', '--mock', 'itl=1ms', '--mock', 'output-tokens=16', '--mock', 'fault=http_500=0.2']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(path.join(runDir, 'summary.json')) && existsSync(path.join(runDir, 'timeline.json')), 'llmperf run wrote the run directory');
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('rebuilds report.html in the run directory, or writes --out', async () => {
    const report = path.join(runDir, 'report.html');
    rmSync(report, { force: true });
    const r = await runCli(['report', runDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), `report: ${report}`);
    const html = readFileSync(report, 'utf8');
    const points = [...html.matchAll(/data-chart="([^"]+)" data-points="(\d+)"/g)].map((m) => [m[1], Number(m[2])] as const);
    assert.equal(points.length, 9);
    for (const [id, n] of points) assert.ok(n > 0, `${id} has data`);
    assert.match(html, /HTTP_5XX/, 'the injected 500s are in the errors table');

    const out = path.join(tmp, 'elsewhere', 'r.html');
    const r2 = await runCli(['report', runDir, '--out', out, '--title', 'nightly']);
    assert.equal(r2.code, 0, r2.stderr);
    assert.match(readFileSync(out, 'utf8'), /<title>nightly<\/title>/);
  });

  test('--open hands the file to $BROWSER', async () => {
    const marker = path.join(tmp, 'opened.txt');
    const browser = path.join(tmp, 'fake-browser.sh');
    writeFileSync(browser, `#!/bin/sh\necho "$1" > ${JSON.stringify(marker)}\n`);
    chmodSync(browser, 0o755);
    const r = await runCli(['report', runDir, '--open'], { env: { BROWSER: browser } });
    assert.equal(r.code, 0, r.stderr);
    const deadline = Date.now() + 30_000;
    while (!existsSync(marker) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    assert.equal(readFileSync(marker, 'utf8').trim(), path.join(runDir, 'report.html'));
  });

  test('query flags read the stored requests instead of writing the report', async () => {
    const mtime = statSync(path.join(runDir, 'report.html')).mtimeMs;
    const failed = await runCli(['report', runDir, '--failed', '--json']);
    assert.equal(failed.code, 0, failed.stderr);
    const rows = failed.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(rows.length > 0, 'a 20 % fault rate over 24 requests failed some');
    for (const row of rows) assert.equal(row.error_code, 'HTTP_5XX');
    const slow = await runCli(['report', runDir, '--slowest', 'ttft', '--limit', '3', '--json']);
    assert.equal(slow.code, 0, slow.stderr);
    const ttfts = slow.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { ttft_ms: number }).ttft_ms);
    assert.equal(ttfts.length, 3);
    assert.deepEqual([...ttfts].sort((a, b) => b - a), ttfts);
    assert.equal(statSync(path.join(runDir, 'report.html')).mtimeMs, mtime, 'a query does not rewrite report.html');
  });

  test('errors say what to fix and exit 104', async () => {
    const missing = await runCli(['report', path.join(tmp, 'no-such-run')]);
    assert.equal(missing.code, 104);
    assert.match(missing.stderr, /not a directory: give the run directory/);
    const empty = mkdtempSync(path.join(tmp, 'empty-'));
    const noSummary = await runCli(['report', empty]);
    assert.equal(noSummary.code, 104);
    assert.match(noSummary.stderr, /summary\.json not found/);
    const mixed = await runCli(['report', runDir, '--failed', '--open']);
    assert.equal(mixed.code, 104);
    assert.match(mixed.stderr, /cannot be combined/);
    const limitOnly = await runCli(['report', runDir, '--limit', '3']);
    assert.equal(limitOnly.code, 104);
    assert.match(limitOnly.stderr, /--limit applies to a query/);
  });
});
