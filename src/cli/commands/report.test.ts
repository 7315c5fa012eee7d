import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Study } from '../../study/study.js';
import { TrialPruned } from '../../core/errors.js';
import { reportCommand } from './report.js';

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
