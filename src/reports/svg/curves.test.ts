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
