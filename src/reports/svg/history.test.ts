import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestSoFar, historyChart } from './history.js';
import { gridData, parseXml, select } from './test-support.js';

test('history: one circle per complete trial, pruned and failed marked differently, well-formed', () => {
  const data = gridData({ extra: [{ state: 'pruned', steps: 2 }, { state: 'failed' }, { state: 'pruned', steps: 0 }, { state: 'running' }, { state: 'waiting' }] });
  const c = historyChart(data);
  assert.ok(c);
  const doc = parseXml(c.svg);
  assert.equal(select(doc, 'circle', 'complete').length, 20);
  assert.equal(select(doc, 'polygon', 'pruned').length, 1, 'the pruned trial with a reported value');
  assert.equal(select(doc, 'path', 'failed').length, 2, 'the failed trial and the pruned one without a value');
  assert.equal(select(doc, 'path', 'best-line').length, 1);
  assert.match(doc.getElementsByTagName('title')[0]?.textContent ?? '', /history of m/);
});

test('bestSoFar follows the direction and ignores trials without a value', () => {
  const data = gridData();
  const t = data.trials;
  const vals = [0.5, 0.7, 0.6, 0.9];
  const trials = vals.map((v, i) => ({ ...(t[0] as (typeof t)[number]), number: i, value: v }));
  assert.deepEqual(bestSoFar(trials, 'maximize'), [0.5, 0.7, 0.7, 0.9]);
  assert.deepEqual(bestSoFar(trials, 'minimize'), [0.5, 0.5, 0.5, 0.5]);
  assert.deepEqual(bestSoFar([{ ...(t[0] as (typeof t)[number]), state: 'failed', value: null }, ...trials.slice(0, 1)], 'maximize'), [null, 0.5]);
});

test('history works for minimize: the best-so-far line only goes down', () => {
  const c = historyChart(gridData({ direction: 'minimize' }));
  assert.ok(c);
  const d = select(parseXml(c.svg), 'path', 'best-line')[0]?.getAttribute('d') ?? '';
  // SVG y grows downwards: a falling value means a growing y.
  const ys = [...d.matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => Number(m[1]));
  assert.ok(ys.length > 2);
  for (let i = 1; i < ys.length; i++) assert.ok((ys[i] as number) >= (ys[i - 1] as number) - 1e-9, `y went up at ${i}`);
});

test('history is null without complete trials', () => {
  const d = gridData();
  assert.equal(historyChart({ ...d, trials: [] }), null);
});
