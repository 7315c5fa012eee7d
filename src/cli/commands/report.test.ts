import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Study } from '../../study/study.js';
import { TrialPruned } from '../../core/errors.js';
import { reportCommand } from './report.js';
import { browser, skipUnless } from '../../../test/support/peers.js';

const dir = mkdtempSync(join(tmpdir(), 'hz-report-'));

test('report from a SQLite study: history marks complete, pruned and failed trials; curves and heatmap drawn', async () => {
  const db = join(dir, 'study.db');
  const study = await Study.create({
    space: { lr: { type: 'float', low: 1e-4, high: 1e-1, log: true }, width: { type: 'int', low: 1, high: 9 } },
    direction: 'minimize',
    storage: db,
    name: 'quad',
    seed: 3,
  });
  let n = 0;
  await study.optimize(async (trial) => {
    const { lr, width } = trial.params as { lr: number; width: number };
    const k = n++;
    const loss = (Math.log10(lr) + 2.5) ** 2 + (width - 5) ** 2 / 10;
    for (let s = 1; s <= 3; s++) await trial.report(s, loss + (3 - s) * 0.1);
    if (k % 7 === 3) throw new TrialPruned();
    if (k % 11 === 5) throw new Error('boom');
    return loss;
  }, { nTrials: 30 });
  await study.storage.close();
  const out = join(dir, 'quad.html');
  const code = await reportCommand({ storage: db, out, svgDir: join(dir, 'svg') });
  assert.equal(code, 0);
  const html = readFileSync(out, 'utf8');
  assert.match(html, /class="mark pruned"/);
  assert.match(html, /class="mark failed"/);
  assert.match(html, /lr \(log scale\)/, 'a log distribution gets a log axis');
  assert.match(html, /Learning curves of the best 10 trials/);
  assert.match(readFileSync(join(dir, 'svg', 'heatmap.svg'), 'utf8'), /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
});

test('report refuses bad input with exit code 2 and a message naming the flag and value', () => {
  const rsPath = resolve('docs/zones-gpu-2026-11-26/run2-4-confirm.json');
  const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', resolve('src/cli/main.ts'), 'report', ...args], { encoding: 'utf8' });
  const bad = run(['--in', rsPath, '--x', 'units_typo', '-o', join(dir, 'x.html')]);
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /`--x units_typo` is not a parameter of this result set; its parameters are units, batch_size, lr_schedule/);
  const notOrdered = run(['--in', rsPath, '--y', 'lr_schedule', '-o', join(dir, 'x.html')]);
  assert.equal(notOrdered.status, 2);
  assert.match(notOrdered.stderr, /`--y lr_schedule` is not an ordered \(numeric\) parameter/);
  const badJson = join(dir, 'bad.json');
  writeFileSync(badJson, JSON.stringify({ format: 'hyperzone.resultset/1', space: {}, objective: { metric: 'm', direction: 'up' } }));
  const badDoc = run(['--in', badJson, '-o', join(dir, 'x.html')]);
  assert.equal(badDoc.status, 2);
  assert.match(badDoc.stderr, /objective\.direction/);
});

test('report wants either --in or --storage, and a positive --top', async () => {
  await assert.rejects(reportCommand({ in: 'a.json', storage: 'b.db', out: 'x.html' }), /either `--in RESULTS\.json` or `--storage URL/);
  await assert.rejects(reportCommand({ in: 'a.json', out: 'x.html', top: '0' }), /`--top` to be an integer ≥ 1, got "0"/);
});

test('report --png without Chromium: exit 2 and a message saying what to install, before anything is written', () => {
  const rsPath = resolve('docs/zones-gpu-2026-11-26/run2-4-confirm.json');
  const out = join(dir, 'nochrome.html');
  const r = spawnSync(process.execPath, ['--import', 'tsx', resolve('src/cli/main.ts'), 'report', '--in', rsPath, '-o', out, '--png', join(dir, 'png-none')],
    { encoding: 'utf8', env: { ...process.env, HZ_CHROMIUM: '/nonexistent/chromium' } });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /`--png` needs Chromium to draw the PNGs: \/nonexistent\/chromium not found; install Debian's chromium, or set HZ_CHROMIUM/);
  assert.equal(existsSync(out), false, 'nothing ran');
});

test('report --png writes each chart (each surface frame) as a PNG of the chart\'s size at 2× through headless Chromium', { skip: skipUnless(browser()), timeout: 120_000 }, async () => {
  const db = join(dir, 'png.db');
  const study = await Study.create({ space: { units: { type: 'series', values: [32, 64, 128] }, batch: { type: 'series', values: [16, 32, 64] } }, direction: 'maximize', storage: db, name: 'g', seed: 1 });
  await study.optimize(async (trial) => {
    const { units, batch } = trial.params as { units: number; batch: number };
    const v = 0.9 - 0.01 * (Math.log2(units / 64) ** 2 + Math.log2(batch / 32) ** 2);
    for (let s = 1; s <= 4; s++) await trial.report(s, v - (4 - s) * 0.02);
    return { value: v, metrics: { parameters: units * 785 + 10 } };
  }, { nTrials: 9 });
  await study.storage.close();
  const pngDir = join(dir, 'png');
  assert.equal(await reportCommand({ storage: db, out: join(dir, 'png.html'), png: pngDir }), 0);
  const files = readdirSync(pngDir).sort();
  assert.deepEqual(files, ['curves.png', 'front.png', 'heatmap.png', 'history.png', 'importance.png', 'surface-epoch-1.png', 'surface-epoch-2.png', 'surface-epoch-3.png', 'surface-epoch-4.png']);
  for (const f of files) {
    const buf = readFileSync(join(pngDir, f));
    assert.equal(buf.subarray(1, 4).toString('latin1'), 'PNG', f);
    // IHDR: width and height at bytes 16–23, twice the SVG's size.
    const w = buf.readUInt32BE(16);
    const h = buf.readUInt32BE(20);
    assert.ok(w >= 1500 && h >= 250, `${f}: ${w} × ${h}`);
  }
  assert.equal(readFileSync(join(pngDir, 'heatmap.png')).readUInt32BE(16), 2 * 780);
  assert.equal(readFileSync(join(pngDir, 'front.png')).readUInt32BE(16), 2 * 880, 'the objective against trainable parameters');
});
