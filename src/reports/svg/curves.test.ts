import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestWithCurves, curvesChart } from './curves.js';
import { gridData, parseXml, select } from './test-support.js';

test('learning curves: one line per best trial, best first in the legend', () => {
  const data = gridData();
  const c = curvesChart(data, { top: 4 });
  assert.ok(c);
  const doc = parseXml(c.svg);
  const curves = select(doc, 'g', 'curve');
  assert.equal(curves.length, 4);
  for (const g of curves) assert.match(select(g, 'path')[0]?.getAttribute('d') ?? '', /^M[\d.]+ [\d.]+(L[\d.]+ [\d.]+){4}$/);
  const best = bestWithCurves(data, 4);
  assert.equal(best[0]?.params.units, 384);
  assert.equal(best[0]?.params.batch_size, 32);
  assert.ok(select(doc, 'text').some((t) => (t.textContent ?? '').startsWith('#1 trial ') && (t.textContent ?? '').includes('→ 0.99')));
});

test('learning curves default to 10, rank minimize correctly, and are null without steps', () => {
  const data = gridData({ direction: 'minimize' });
  assert.equal(select(parseXml(curvesChart(data)?.svg ?? ''), 'g', 'curve').length, 10);
  assert.equal(bestWithCurves(data, 1)[0]?.params.units, 384);
  assert.equal(curvesChart({ ...data, trials: data.trials.map((t) => ({ ...t, steps: [] })) }), null);
});

test('learning curves show pruned trials in grey, dashed, up to the step they were stopped', () => {
  const data = gridData({ extra: [{ state: 'pruned', steps: 2 }, { state: 'pruned', steps: 3 }, { state: 'failed' }, { state: 'running', steps: 1 }] });
  const c = curvesChart(data, { top: 3 });
  const doc = parseXml(c?.svg ?? '');
  const pruned = select(doc, 'g', 'pruned');
  assert.equal(pruned.length, 2, 'the two pruned trials; failed and running ones are not drawn');
  assert.match(select(pruned[0] as (typeof pruned)[number], 'path')[0]?.getAttribute('d') ?? '', /^M[\d.]+ [\d.]+L[\d.]+ [\d.]+$/, 'two steps');
  assert.match(pruned[1]?.getElementsByTagName('title')[0]?.textContent ?? '', /^pruned trial 21: .*stopped after step 3 at 0\.95$/);
  assert.equal(select(doc, 'g', 'curve').filter((g) => !(g.getAttribute('class') ?? '').includes('pruned')).length, 3);
  assert.ok(select(doc, 'text').some((t) => t.textContent === 'pruned: 2 trials (× where stopped)'));
  assert.match(c?.title ?? '', /and 2 pruned$/);
  // Only pruned trials with curves: still a chart (a study whose every trial was stopped early).
  const onlyPruned = { ...data, trials: data.trials.filter((t) => t.state === 'pruned') };
  assert.equal(select(parseXml(curvesChart(onlyPruned)?.svg ?? ''), 'g', 'pruned').length, 2);
});
