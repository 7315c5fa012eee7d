import { test } from 'node:test';
import assert from 'node:assert/strict';
import { curvePoints, epochSurfaces, pickEpochs, surfaceChart } from './surface3d.js';
import { renderHtml } from './html.js';
import { buildReport } from './report.js';
import { gridData, parseXml, select } from './test-support.js';

test('pickEpochs: all when few, else the ones nearest to quarters of the last (the article read 20, 40, 60, 80)', () => {
  assert.deepEqual(pickEpochs([1, 2, 3]), [1, 2, 3]);
  assert.deepEqual(pickEpochs(Array.from({ length: 80 }, (_, i) => i + 1)), [20, 40, 60, 80]);
  assert.deepEqual(pickEpochs([1, 2, 5, 9, 10, 10]), [2, 5, 9, 10]);
});

test('epochSurfaces: mean per cell at each epoch over the runs that reached it; pruned runs count up to where they stopped', () => {
  const d = gridData({ extra: [{ state: 'pruned', steps: 2 }] });
  const s = epochSurfaces(curvePoints(d), 'units', 'batch_size', d);
  assert.ok(s);
  assert.deepEqual(s.frames.map((f) => f.epoch), [1, 2, 4, 5]);
  assert.equal(s.grid, true);
  // units=128 batch_size=16 is a grid trial plus the pruned one (0.95 at steps 1–2): a mean of 2 at epoch 2, 1 at epoch 4.
  const at = (epoch: number): { z: number | null; n: number } => {
    const f = s.frames.find((x) => x.epoch === epoch);
    return { z: f?.z[0]?.[0] ?? null, n: f?.n[0]?.[0] ?? 0 };
  };
  const own = d.trials[0]?.steps.find((x) => x.step === 2)?.metrics.m as number;
  assert.equal(at(2).n, 2);
  assert.ok(Math.abs((at(2).z as number) - (own + 0.95) / 2) < 1e-12);
  assert.equal(at(4).n, 1);
  assert.equal(s.frames[0]?.z.length, 4, 'batch_size rows');
  assert.equal(s.frames[0]?.z[0]?.length, 5, 'units columns');
});

test('surface chart: one projected frame per epoch on one z range, quads on a grid, the best marked, an epoch selector in the page', () => {
  const d = gridData();
  const c = surfaceChart(d, curvePoints(d), 'units', 'batch_size');
  assert.ok(c);
  assert.deepEqual(c.frames.map((f) => f.label), ['epoch 1', 'epoch 2', 'epoch 4', 'epoch 5']);
  const docs = c.frames.map((f) => parseXml(f.svg));
  for (const doc of docs) {
    assert.equal(select(doc, 'polygon', 'quad').length, 4 * 3, '(5 − 1) × (4 − 1) quads');
    assert.equal(select(doc, 'circle', 'point').length, 20);
    assert.equal(select(doc, 'circle', 'best').length, 1);
  }
  // The curves rise by 0.01 an epoch: the same cell sits higher (smaller y) at epoch 5 than at epoch 1.
  const yOf = (doc: (typeof docs)[number]): number => Number(select(doc, 'circle', 'best')[0]?.getAttribute('cy'));
  assert.ok(yOf(docs[3] as (typeof docs)[number]) < yOf(docs[0] as (typeof docs)[number]) - 5);
  assert.match(select(docs[3] as (typeof docs)[number], 'text', 'note')[0]?.textContent ?? '', /best at epoch 5: units=384 batch_size=32/);
  const html = renderHtml(buildReport(d));
  assert.match(html, /<input type="radio" name="pick-surface" id="pick-surface-epoch-5" checked="checked"\/>/);
  assert.match(html, /#pick-surface-epoch-1:checked~#frame-surface-epoch-1,.*\{display:block\}/);
  assert.doesNotMatch(html, /<script/);
  // Continuous params: a 3D scatter with stems, no quads.
  const trials = Array.from({ length: 10 }, (_, i) => ({ number: i, state: 'complete' as const, value: 0.9, params: { lr: 1e-4 * 2 ** i, p: i / 20 }, steps: [1, 2].map((st) => ({ step: st, metrics: { m: 0.8 + i / 100 + st / 100 } })) }));
  const cont = { source: 't', metric: 'm', direction: 'maximize' as const, order: 'trial' as const, trials, space: { lr: { type: 'float' as const, low: 1e-4, high: 0.1, log: true }, p: { type: 'float' as const, low: 0, high: 0.5 } } };
  const sc = surfaceChart(cont, curvePoints(cont), 'lr', 'p');
  const sd = parseXml(sc?.frames[0]?.svg ?? '');
  assert.equal(select(sd, 'polygon', 'quad').length, 0);
  assert.equal(select(sd, 'line', 'stem').length, 10);
  assert.equal(surfaceChart({ ...d, trials: d.trials.map((t) => ({ ...t, steps: [] })) }, [], 'units', 'batch_size'), null);
});
