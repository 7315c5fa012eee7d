// Renders a report in headless Chromium (Debian's `chromium`, driven by playwright-core): no console errors,
// no requests beyond the file itself, and every chart's SVG laid out with a non-zero size.
// Skips with a printed reason when Chromium (HZ_CHROMIUM, default /usr/bin/chromium) is absent, unless HZ_REQUIRE_BROWSER=1 (CI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseResultSet } from '../../results/resultset.js';
import { dataFromResultSet } from './data.js';
import { renderHtml } from './html.js';
import { buildReport } from './report.js';
import * as peers from '../../../test/support/peers.js';
import { HEADLESS_CHROMIUM_ARGS } from './png.js';

const browserPeer = peers.browser();
const CHROMIUM = browserPeer.executable;
const skip = peers.skipUnless(browserPeer);

test('the report renders in headless Chromium: no console errors, every chart has a non-zero box', { skip, timeout: 90_000 }, async () => {
  const { chromium } = await import('playwright-core');
  const rs = parseResultSet(JSON.parse(readFileSync(new URL('../../../docs/zones-gpu-2026-11-26/run2-4-confirm.json', import.meta.url), 'utf8')), 'run2-4-confirm.json');
  const report = buildReport(dataFromResultSet(rs, 'run2-4-confirm.json'), { zoneOptions: { valSize: 12_000 } });
  assert.equal(report.charts.length, 7);
  const file = join(mkdtempSync(join(tmpdir(), 'hz-browser-')), 'report.html');
  writeFileSync(file, renderHtml(report));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...HEADLESS_CHROMIUM_ARGS],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1024, height: 800 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(file).href;
    await page.goto(url, { waitUntil: 'load' });
    const boxes = await page.$$eval('figure > svg, figure > .frame > svg', (svgs) => svgs.map((s) => {
      const r = s.getBoundingClientRect();
      return { id: s.id, width: r.width, height: r.height, bbox: (s as SVGSVGElement).getBBox().width };
    }));
    assert.deepEqual(boxes.map((b) => b.id), report.charts.map((c) => c.id));
    for (const b of boxes) {
      assert.ok(b.width > 100 && b.height > 100, `${b.id} is laid out at ${b.width} × ${b.height}`);
      assert.ok(b.bbox > 0, `${b.id} draws nothing`);
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(requests, [url], 'the page fetches nothing but itself');
    // Tooltips are <title> children of the marks: the heatmap has one per cell.
    assert.equal(await page.$$eval('#heatmap rect.cell > title', (t) => t.length), 91);
    // The ink of each cell value as drawn is the one its fill attribute picked (no stylesheet rule overrides it).
    const inks = await page.$$eval('#heatmap text.cell-value', (ts) => ts.map((t) => [t.getAttribute('fill'), getComputedStyle(t).fill]));
    assert.ok(inks.length > 80);
    const rgb = (h: string | null): string => `rgb(${[1, 3, 5].map((i) => parseInt((h ?? '').slice(i, i + 2), 16)).join(', ')})`;
    for (const [attr, drawn] of inks) assert.equal(drawn, rgb(attr ?? null));
    assert.ok(inks.some(([a]) => a === '#ffffff') && inks.some(([a]) => a === '#000000'));
  } finally {
    await browser.close();
  }
});

test('the epoch selector shows one surface frame at a time and clicking an epoch changes the surface (no scripts)', { skip, timeout: 90_000 }, async () => {
  const { chromium } = await import('playwright-core');
  const { gridData } = await import('./test-support.js');
  const file = join(mkdtempSync(join(tmpdir(), 'hz-browser-')), 'report.html');
  writeFileSync(file, renderHtml(buildReport(gridData())));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...HEADLESS_CHROMIUM_ARGS] });
  try {
    const page = await browser.newPage({ viewport: { width: 1024, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const visible = (): Promise<string[]> => page.$$eval('#chart-surface .frame', (fs) => fs.filter((f) => (f as HTMLElement).offsetParent !== null).map((f) => f.id));
    assert.deepEqual(await visible(), ['frame-surface-epoch-5']);
    const before = await page.locator('#chart-surface figure').screenshot();
    await page.click('label[for="pick-surface-epoch-1"]');
    assert.deepEqual(await visible(), ['frame-surface-epoch-1']);
    const after = await page.locator('#chart-surface figure').screenshot();
    assert.notDeepEqual(before, after, 'the picture changed');
    const box = await page.locator('#frame-surface-epoch-1 svg').boundingBox();
    assert.ok(box && box.width > 300 && box.height > 200);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
