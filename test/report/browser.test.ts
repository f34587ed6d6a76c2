/**
 * The report in a real browser: Debian's Chromium (/usr/bin/chromium) driven by playwright-core.
 * Skipped, saying why, only when Chromium is not installed. LLMPERF_UPDATE_SCREENSHOT=1 also saves
 * the screenshot of the mock run to docs/report-screenshot.png (the README shows it).
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { renderReport, writeReport, writeSweepReport, type SweepPoint } from '../../runtime/report/index.ts';
import { ROOT } from '../helpers.ts';
import { skipUnlessCi } from '../ci.ts';
import { closedLoopScript, hostileSummary, hostileTimeline, recordRun, steadyScript, XSS, XSS2 } from './helpers.ts';
import { decodePng, inkStats } from './png.ts';

const CHROMIUM = process.env.LLMPERF_CHROMIUM ?? '/usr/bin/chromium';
const skip = skipUnlessCi(existsSync(CHROMIUM) ? false : `${CHROMIUM} not found: install it (apt-get install -y chromium) to run the browser tests`);
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface Loaded {
  page: Page;
  problems: string[];
}

interface ChartInfo {
  id: string;
  points: number;
  hasSvg: boolean;
  drawn: number;
  width: number;
  height: number;
}

describe('report.html in Chromium', { skip }, () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'llmperf-report-browser-'));
  let ctx: BrowserContext;

  before(async () => {
    ctx = await chromium.launchPersistentContext(path.join(tmp, 'profile'), { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 900 } });
  });
  after(async () => {
    await ctx?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** Opens a file; collects console errors, page errors, dialogs (alert() from an injection) and failed loads. */
  async function load(file: string): Promise<Loaded> {
    const page = await ctx.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { page, problems };
  }

  /** Moves the mouse over an element at a fraction of its width (scrolling it into view first). */
  async function hoverAt(page: Page, selector: string, fx: number): Promise<void> {
    const el = page.locator(selector);
    await el.scrollIntoViewIfNeeded();
    const box = (await el.boundingBox())!;
    await page.mouse.move(box.x + box.width * fx, box.y + box.height * 0.5, { steps: 3 });
  }

  function charts(page: Page): Promise<ChartInfo[]> {
    return page.$$eval('figure.chart', (figs) =>
      figs.map((f) => {
        const svg = f.querySelector('svg');
        const shapes = Array.from(f.querySelectorAll('path.series, path.bar')) as unknown as Array<{ getAttribute(n: string): string | null; getTotalLength(): number; getBBox(): { height: number } }>;
        const drawn = shapes.filter((p) => (p.getAttribute('d') ?? '').length > 0 && (p.getTotalLength() > 0 || p.getBBox().height > 0)).length;
        const box = svg?.getBoundingClientRect();
        return { id: f.id, points: Number(f.getAttribute('data-points')), hasSvg: !!svg, drawn, width: box?.width ?? 0, height: box?.height ?? 0 };
      }),
    );
  }

  function assertDrawn(list: ChartInfo[], ids: string[]): void {
    assert.deepEqual(list.map((c) => c.id).filter((id) => ids.includes(id)), ids);
    for (const c of list.filter((x) => ids.includes(x.id))) {
      assert.ok(c.points > 0, `${c.id}: data-points ${c.points}`);
      assert.ok(c.hasSvg && c.width > 200 && c.height > 80, `${c.id}: svg ${c.width}x${c.height}`);
      assert.ok(c.drawn > 0, `${c.id}: no non-empty path drawn`);
    }
  }

  test('a real mock run: every chart drawn with data, hover read-out works, no console errors, screenshot not blank', { timeout: 60_000 }, async () => {
    const dir = path.join(tmp, 'run');
    const { summary } = await recordRun(dir, steadyScript(25, 4), { ttft: '60ms', itl: '8ms', outputTokens: '16-64', jitter: 0.3, fault: 'http_500=0.05', ttftPerInflight: '2ms' });
    assert.ok(summary.llm.succeeded > 50, `the run made ${summary.llm.succeeded} successful requests`);
    const file = await writeReport(dir);
    const { page, problems } = await load(file);
    const list = await charts(page);
    assertDrawn(list, ['hist-ttft', 'hist-tpot', 'hist-itl', 'hist-e2e', 'ts-requests', 'ts-tokens', 'ts-inflight', 'ts-ttft', 'ts-errors']);

    // the check named with an XSS payload shows as text, creates no element, runs nothing
    assert.equal(await page.locator('img').count(), 0);
    assert.ok((await page.locator('#checks').innerText()).includes(XSS));

    // hovering a time series shows the values of the nearest second
    await hoverAt(page, '#ts-requests svg', 0.5);
    const readout = page.locator('#ts-requests .readout');
    await readout.waitFor({ state: 'visible', timeout: 5000 });
    assert.match(await readout.innerText(), /succeeded: \d/);
    await page.mouse.move(0, 0);

    const png = await page.screenshot({ fullPage: true });
    const shot = path.join(tmp, 'report.png');
    writeFileSync(shot, png);
    const ink = inkStats(decodePng(png));
    assert.ok(ink.nonWhite / ink.total > 0.04, `only ${ink.nonWhite} of ${ink.total} pixels are not white`);
    assert.ok(ink.colours > 20, `only ${ink.colours} colours in the screenshot`);
    if (process.env.LLMPERF_UPDATE_SCREENSHOT === '1') copyFileSync(shot, path.join(ROOT, 'docs', 'report-screenshot.png'));
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('hostile strings in every field render as text: no element injected, no script run, nothing blocked', { timeout: 30_000 }, async () => {
    const file = path.join(tmp, 'hostile.html');
    writeFileSync(file, renderReport({ summary: hostileSummary(), timeline: hostileTimeline(), title: XSS }));
    const { page, problems } = await load(file);
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('script').count(), 1);
    const text = await page.locator('body').innerText();
    for (const where of ['#thresholds', '#checks', '#errors', 'header']) assert.ok((await page.locator(where).innerText()).includes(XSS), `${where} shows the payload as text`);
    assert.ok(text.includes(XSS2));
    assert.equal(await page.title(), XSS);
    // the hostile error code is a series name: hover shows it as text
    await hoverAt(page, '#ts-errors svg', 0.4);
    await page.locator('#ts-errors .readout').waitFor({ state: 'visible', timeout: 5000 });
    assert.ok((await page.locator('#ts-errors .readout').innerText()).includes(XSS2));
    assert.equal(await page.locator('script').count(), 1);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('a multi-run: throughput-vs-latency curves of every level', { timeout: 60_000 }, async () => {
    const points: SweepPoint[] = [];
    for (const c of [1, 4, 8]) {
      const { summary } = await recordRun(path.join(tmp, `level-${c}`), closedLoopScript(c, c * 4), { ttft: '20ms', itl: '2ms', outputTokens: 16, ttftPerInflight: '8ms', itlPerInflight: '0.5ms' });
      points.push({ label: `c=${c}`, concurrency: c, summary });
    }
    assert.ok(points[2]!.summary.llm.percentiles.llm_ttft!['p(50)']! > points[0]!.summary.llm.percentiles.llm_ttft!['p(50)']!, 'latency grows with concurrency (mock load mode)');
    const file = await writeSweepReport(path.join(tmp, 'sweep', 'report.html'), points);
    const { page, problems } = await load(file);
    const list = await charts(page);
    assertDrawn(list, ['sweep-ttft-req', 'sweep-ttft-tok', 'sweep-tpot-req', 'sweep-tpot-tok', 'sweep-e2e-req', 'sweep-e2e-tok']);
    for (const c of list.filter((x) => x.id.startsWith('sweep-'))) assert.equal(c.points, 6, `${c.id}: p50 and p99 of 3 levels`);
    assert.equal(await page.locator('#sweep tbody tr').count(), 3);
    assert.equal(await page.locator('#sweep-ttft-req .point-label').count(), 3);
    assert.deepEqual(problems, []);
    assert.ok(readFileSync(file, 'utf8').length < 500_000);
    await page.close();
  });
});
