/**
 * The live dashboard in a real browser (Debian's Chromium driven by playwright-core), watching the
 * built CLI: a run and a sweep against the built-in mock. The charts grow while it runs, the levels
 * appear as they complete, and the final state is what summary.json / sweep.json say. Skipped,
 * saying why, only when Chromium is not installed.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { SummaryData } from '../../runtime/summary/data.ts';
import type { DashState } from '../../runtime/dashboard/model.ts';
import { BIN } from '../helpers.ts';

const CHROMIUM = process.env.LLMPERF_CHROMIUM ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found: install it (apt-get install -y chromium) to run the browser tests`;
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface Cli {
  url: Promise<string>;
  exit: Promise<{ code: number | null; stderr: string; stdout: string }>;
  child: ChildProcess;
}

/** Starts the built CLI; `url` resolves when it prints the dashboard's address. */
function startCli(args: string[], cwd: string): Cli {
  const child = spawn(process.execPath, ['--no-node-snapshot', BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  let found: (u: string) => void;
  let failed: (e: Error) => void;
  const url = new Promise<string>((res, rej) => {
    found = res;
    failed = rej;
  });
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    const m = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr);
    if (m) found(m[1]!);
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 150_000);
  const exit = new Promise<{ code: number | null; stderr: string; stdout: string }>((res) => {
    child.on('exit', (code) => {
      clearTimeout(killer);
      failed(new Error(`the CLI exited (${code}) before printing the dashboard URL:\n${stderr}`));
      setImmediate(() => res({ code, stderr, stdout }));
    });
  });
  return { url, exit, child };
}

/** Page problems: console errors and warnings, page errors, and requests to anywhere but `origin`. */
function watch(page: Page, origin: string | null): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    const u = r.url();
    if (origin ? !u.startsWith(origin) : !u.startsWith('file:')) problems.push(`request to ${u}`);
  });
  return problems;
}

/** The page's globals, as the predicates below see them (the tests compile without the DOM library). */
type PageGlobals = { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null }; llmperfDashboard: { state(): unknown } };
/** Waits until chart `id` has at least `n` points (a function, not a string: the page's CSP forbids eval). */
const waitChart = (page: Page, id: string, n: number, timeout: number) =>
  page.waitForFunction(([cid, min]) => Number((globalThis as unknown as PageGlobals).document.querySelector(`#${cid}`)?.getAttribute('data-points') ?? 0) >= (min as number), [id, n] as const, { timeout });
const dashState = async (page: Page) => (await page.evaluate(() => (globalThis as unknown as PageGlobals).llmperfDashboard.state())) as DashState;
const points = (page: Page, id: string) => page.$eval(`#${id}`, (f) => Number(f.getAttribute('data-points'))).catch(() => 0);
const finalValue = (page: Page, key: string, col = 1) => page.$eval(`#final tr[data-k="${key}"] td:nth-child(${col + 1})`, (td) => td.getAttribute('data-v'));

async function checkFinal(page: Page, s: SummaryData, col = 1): Promise<void> {
  const l = s.llm;
  for (const [k, v] of [['requests', l.requests], ['succeeded', l.succeeded], ['failed', l.failed], ['interrupted', l.interrupted], ['successRate', l.successRate], ['requestThroughput', l.requestThroughput], ['outputTokenThroughput', l.outputTokenThroughput], ['peakConcurrency', l.peakConcurrency], ['durationMs', l.durationMs]] as const) {
    assert.equal(await finalValue(page, k, col), String(v), `${k} as in summary.json`);
  }
  for (const m of ['llm_ttft', 'llm_e2e', 'llm_itl']) {
    for (const q of ['p(50)', 'p(99)']) assert.equal(await finalValue(page, `${m} ${q}`, col), String(l.percentiles[m]![q]), `${m} ${q}`);
  }
}

describe('the live dashboard in Chromium', { skip }, () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'llmperf-dashboard-browser-'));
  let browser: Browser;

  before(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  });
  after(async () => {
    await browser?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('a run: charts update while it runs, the final state is summary.json, the exported page the same offline', { timeout: 180_000 }, async () => {
    writeFileSync(
      path.join(tmp, 'live.ts'),
      `import llm from 'llmperf/llm';
export const options = {
  scenarios: { open: { executor: 'constant-arrival-rate', rate: 8, duration: '8s', preAllocatedVUs: 4, maxVUs: 20 } },
  thresholds: { 'llm_ttft{scenario:open}': ['p(95)<1'] },
};
export default async function () {
  await llm.chat({ messages: [{ role: 'user', content: 'hello' }], max_tokens: 24 });
}`,
    );
    const out = path.join(tmp, 'run-out');
    const exported = path.join(tmp, 'run-dashboard.html');
    const cli = startCli(['run', 'live.ts', '--dashboard', '--dashboard-port', '0', '--dashboard-export', exported, '--out-dir', out, '--quiet', '--mock', 'ttft=40ms', '--mock', 'itl=4ms', '--mock', 'fault=http_500=0.1'], tmp);
    const url = await cli.url;
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watch(page, url);
    await page.goto(url);
    await waitChart(page, 'c-requests', 2, 60_000);
    assert.equal(await page.getAttribute('body', 'data-status'), 'running');
    const before = await points(page, 'c-requests');
    await waitChart(page, 'c-requests', before + 4, 60_000);
    assert.ok((await points(page, 'c-ttft')) > 0, 'TTFT drawn live');
    assert.ok((await page.locator('#thresholds tbody tr').count()) >= 1, 'thresholds shown while running');
    await page.waitForSelector('body[data-status="finished"]', { timeout: 90_000 });
    const r = await cli.exit;
    assert.equal(r.code, 99, r.stderr);
    assert.match(r.stderr, /ERROR thresholds on metrics 'llm_ttft\{scenario:open\}' have been crossed/);

    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as SummaryData;
    assert.ok(summary.llm.requests >= 30, `${summary.llm.requests} requests`);
    await checkFinal(page, summary);
    assert.equal(await page.getAttribute('#status', 'data-exit'), '99');
    const state = await dashState(page);
    const live = state.points.reduce((a, p) => a + p.ok + p.failed, 0);
    assert.equal(live, summary.llm.requests, 'the requests counted live add up to summary.json');
    assert.equal(state.points.reduce((a, p) => a + p.failed, 0), summary.llm.failed);
    for (const [code, n] of Object.entries(summary.llm.errors)) assert.equal(await page.$eval(`#final tr[data-code="${code}"] td:nth-child(2)`, (td) => td.textContent), String(n));
    assert.equal(await page.locator('#thresholds tbody tr[data-ok="false"]').count(), 1);
    for (const id of ['c-requests', 'c-tokens', 'c-ttft', 'c-itl', 'c-e2e', 'c-errors', 'c-inflight', 'c-lag']) assert.ok((await points(page, id)) > 0, `${id} has data`);
    assert.deepEqual(problems, []);
    await page.close();

    // the exported page: the same final figures, from disk, with no network at all
    const offline = await browser.newPage();
    const problems2 = watch(offline, null);
    await offline.goto(pathToFileURL(exported).href);
    await offline.waitForSelector('body[data-status="finished"]');
    await checkFinal(offline, summary);
    assert.equal(await points(offline, 'c-requests'), state.points.length * 2);
    assert.deepEqual(problems2, []);
    await offline.close();
  });

  test('a sweep: the levels appear as they complete, and the end matches sweep.json', { timeout: 180_000 }, async () => {
    writeFileSync(
      path.join(tmp, 'sweep.ts'),
      `import llm from 'llmperf/llm';
export default async function () {
  await llm.chat({ messages: [{ role: 'user', content: 'hello' }], max_tokens: 16 });
}`,
    );
    const out = path.join(tmp, 'sweep-out');
    const cli = startCli(['sweep', 'sweep.ts', '--concurrency', '1,2,4', '--level-duration', '3s', '--slo', 'p99(llm_ttft)<60', '--dashboard', '--dashboard-port', '0', '--out-dir', out, '--mock', 'ttft=20ms', '--mock', 'ttft-per-inflight=12ms', '--mock', 'itl=2ms'], tmp);
    const url = await cli.url;
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watch(page, url);
    await page.goto(url);
    await page.waitForSelector('#levels table.levels tbody tr', { timeout: 90_000 });
    assert.equal(await page.getAttribute('body', 'data-status'), 'running', 'the first level shows while the next ones run');
    assert.ok((await page.locator('#levels tbody tr').count()) < 3);
    await page.waitForSelector('body[data-status="finished"]', { timeout: 120_000 });
    const r = await cli.exit;
    assert.equal(r.code, 0, r.stderr);

    const levels = JSON.parse(readFileSync(path.join(out, 'sweep.json'), 'utf8')) as Array<{ label: string; ok: boolean; summary: SummaryData }>;
    assert.equal(levels.length, 3);
    const rows = page.locator('#levels table.levels tbody tr');
    assert.equal(await rows.count(), 3);
    for (let i = 0; i < 3; i++) {
      assert.equal(await rows.nth(i).locator('td').first().innerText(), levels[i]!.label);
      assert.equal(await rows.nth(i).getAttribute('data-ok'), String(levels[i]!.ok), `level ${levels[i]!.label}: SLO verdict`);
    }
    for (let i = 0; i < 3; i++) await checkFinal(page, levels[i]!.summary, i + 1);
    assert.equal(await points(page, 'l-ttft'), 6, 'p50 and p99 of 3 levels against the load');
    const state = await dashState(page);
    assert.equal(state.runs.length, 3);
    assert.deepEqual(state.runs.map((x) => x.label), levels.map((l) => l.label));
    assert.deepEqual(problems, []);
    await page.close();
  });
});
