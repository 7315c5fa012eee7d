import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importanceChart } from './importance.js';
import { gridData, parseXml, select } from './test-support.js';

test('importance chart: one bar per param, largest first, with ε² in percent', () => {
  const c = importanceChart(gridData({ param3: true }));
  assert.ok(c);
  const bars = select(parseXml(c.svg), 'g', 'bar');
  assert.equal(bars.length, 3);
  const names = bars.map((b) => select(b, 'text', 'label')[0]?.textContent);
  // act alternates along the grid (relu at batch sizes 16 and 64) and explains least.
  assert.equal(names[2], 'act');
  const pct = bars.map((b) => Number((select(b, 'text', 'tick')[0]?.textContent ?? '').split('%')[0]));
  assert.ok(pct[0] as number >= (pct[1] as number) && (pct[1] as number) >= (pct[2] as number));
  assert.ok((pct[2] as number) < 15);
  assert.equal(importanceChart({ ...gridData(), trials: gridData().trials.slice(0, 3) }), null, 'under 4 trials');
});

test('importance of continuous params: bins of about 4 trials, not a group per distinct value (which would always give 100%)', () => {
  const trials = Array.from({ length: 24 }, (_, i) => ({ number: i, state: 'complete' as const, steps: [], params: { lr: 1e-4 * 1.3 ** i, noise: (i * 7) % 24 }, value: 0.9 + 0.001 * i + 0.0001 * ((i * 5) % 3) }));
  const data = { source: 't', metric: 'm', direction: 'maximize' as const, order: 'trial' as const, trials, space: { lr: { type: 'float' as const, low: 1e-5, high: 1, log: true }, noise: { type: 'float' as const, low: 0, high: 30 } } };
  const bars = select(parseXml(importanceChart(data)?.svg ?? ''), 'g', 'bar');
  const text = bars.map((b) => select(b, 'text', 'tick')[0]?.textContent ?? '');
  assert.match(text[0] ?? '', /\(6 groups\)$/);
  assert.equal(select(bars[0] as (typeof bars)[number], 'text', 'label')[0]?.textContent, 'lr');
  assert.ok(Number((text[1] ?? '').split('%')[0]) < 60, `noise: ${text[1]}`);
});
