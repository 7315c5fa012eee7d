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

test('parallel coordinates: the colour key is a strip beside the objective axis, not a legend over it', () => {
  const c = parallelChart(gridData({ param3: true }));
  const doc = parseXml(c?.svg ?? '');
  const axes = select(doc, 'g', 'p-axis');
  const last = select(axes[axes.length - 1] as (typeof axes)[number], 'line')[0];
  const ax = Number(last?.getAttribute('x1'));
  const legends = select(doc, 'g', 'legend');
  assert.equal(legends.length, 1);
  assert.match(legends[0]?.getAttribute('class') ?? '', /value-strip/);
  const strip = select(legends[0] as (typeof legends)[number], 'rect')[0];
  const sx = Number(strip?.getAttribute('x'));
  assert.ok(sx > ax && sx < ax + 12, `strip at ${sx}, axis at ${ax}`);
  // The strip spans the values' range on the axis: its ends are where the worst and best lines end.
  const ends = select(doc, 'path', 'line').map((l) => Number((l.getAttribute('d') ?? '').split(/[ML ]/).filter(Boolean).pop()));
  const y = Number(strip?.getAttribute('y'));
  const h = Number(strip?.getAttribute('height'));
  assert.ok(Math.abs(Math.min(...ends) - y) < 0.02 && Math.abs(Math.max(...ends) - (y + h)) < 0.02, `${Math.min(...ends)}–${Math.max(...ends)} vs ${y}–${y + h}`);
  // Nothing of the chart lies right of the key's labels: the SVG is wide enough for them.
  const width = Number(select(doc, 'svg')[0]?.getAttribute('width'));
  for (const t of select(legends[0] as (typeof legends)[number], 'text')) assert.ok(Number(t.getAttribute('x')) + (t.textContent ?? '').length * 6.2 <= width);
});
