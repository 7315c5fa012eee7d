import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ABSENT, parallelChart } from './parallel.js';
import { gridData, parseXml, select } from './test-support.js';

test('parallel coordinates: one line per complete trial across every param and the objective', () => {
  const c = parallelChart(gridData({ param3: true }));
  assert.ok(c);
  const doc = parseXml(c.svg);
  const lines = select(doc, 'path', 'line');
  assert.equal(lines.length, 20);
  for (const l of lines) assert.equal((l.getAttribute('d')?.match(/[ML]/g) ?? []).length, 4, 'units, batch_size, act, m');
  assert.equal(select(doc, 'g', 'p-axis').length, 4);
  const ticks = select(doc, 'text', 'tick').map((t) => t.textContent);
  assert.ok(ticks.includes('relu') && ticks.includes('tanh'));
  // Best drawn last (on top).
  assert.match(lines[lines.length - 1]?.getElementsByTagName('title')[0]?.textContent ?? '', /units=384 batch_size=32/);
});

test('parallel coordinates: a trial without a param sits at "(absent)"; two params draw nothing', () => {
  const d = gridData({ param3: true });
  const trials = d.trials.map((t, i) => (i === 0 ? { ...t, params: { units: t.params.units as number, batch_size: t.params.batch_size as number } } : t));
  const doc = parseXml(parallelChart({ ...d, trials })?.svg ?? '');
  assert.ok(select(doc, 'text', 'tick').some((t) => t.textContent === ABSENT));
  assert.equal(parallelChart(gridData()), null);
});
