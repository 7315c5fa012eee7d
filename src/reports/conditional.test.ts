import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Study } from '../study/study.js';
import { TpeSampler } from '../samplers/tpe.js';
import { trialsToCsv } from './export.js';
import { renderResults, resultRows } from './results.js';
import { dataFromStudy } from './svg/data.js';
import { buildReport } from './svg/report.js';
import { renderHtml } from './svg/html.js';

/** A study on a conditional space: units_2 exists only with 2 layers, filters only for cnn. */
async function conditionalStudy(): Promise<Study> {
  const study = await Study.create({
    name: 'cond-report', seed: 2, sampler: new TpeSampler({ nStartupTrials: 5 }),
    space: {
      num_layers: { type: 'int', low: 1, high: 2 },
      units_1: { type: 'series', values: [32, 64, 128] },
      units_2: { type: 'series', values: [32, 64, 128], when: { parent: 'num_layers', min: 2 } },
      model: { type: 'categorical', choices: ['fnn', 'cnn'] },
      filters: { type: 'categorical', choices: [16, 32], when: { parent: 'model', values: ['cnn'] } },
      lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
    },
  });
  await study.optimize((t) => Number(t.params['units_1']) / 128 + Number(t.params['units_2'] ?? 0) / 256 + (t.params['model'] === 'cnn' ? 0 : 1) + Math.abs(Math.log10(Number(t.params['lr'])) + 2), { nTrials: 24 });
  return study;
}

test('export CSV leaves the cell of an inactive param empty', async () => {
  const study = await conditionalStudy();
  const trials = await study.trials();
  const [head, ...rows] = trialsToCsv(trials).trim().split('\n');
  const cols = (head ?? '').split(',');
  const u2 = cols.indexOf('units_2'), f = cols.indexOf('filters');
  assert.ok(u2 > 0 && f > 0);
  rows.forEach((r, i) => {
    const cells = r.split(',');
    const t = trials[i];
    assert.equal(cells[u2], t?.params['units_2'] === undefined ? '' : String(t.params['units_2']));
    assert.equal(cells[f], t?.params['filters'] === undefined ? '' : String(t.params['filters']));
  });
  assert.ok(rows.some((r) => r.split(',')[u2] === '') && rows.some((r) => r.split(',')[u2] !== ''));
});

test('the results table and the HTML report take trials that lack inactive params', async () => {
  const study = await conditionalStudy();
  const trials = await study.trials();
  const table = renderResults(resultRows(trials, 'minimize'), 'value');
  assert.match(table, /units_2/);
  const data = dataFromStudy(study.record, trials, study.space.toJSON(), 'memory');
  const report = buildReport(data);
  assert.ok(report.charts.length >= 2, report.skipped.map((s) => s.reason).join('; '));
  assert.match(renderHtml(report), /<svg/);
});
