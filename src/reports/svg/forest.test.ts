import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { asConfirmOutput, forestChart } from './forest.js';
import { parseXml, select, texts } from './test-support.js';

const doc = JSON.parse(readFileSync(new URL('../../../docs/zones-gpu-2026-11-26/run2-4-confirm.json', import.meta.url), 'utf8')) as { stage_output: Record<string, unknown> };

test('forest plot of a real stage-4 output: an interval per config and panel, selected and baseline marked, verdicts under it', () => {
  const c = asConfirmOutput(doc.stage_output);
  assert.ok(c);
  const chart = forestChart(c);
  const svg = parseXml(chart.svg);
  const intervals = select(svg, 'g', 'interval');
  assert.equal(intervals.length, c.configs.length * 2, 'validation and test per config');
  assert.equal(select(svg, 'polygon').length, 2, 'the selected config: a diamond per panel');
  assert.equal(intervals.filter((g) => select(g, 'rect').length === 1).length, 2, 'the baseline: a square per panel');
  const all = texts(svg).join('\n');
  assert.match(all, /selected/);
  assert.match(all, /plain-grid best \(baseline\)/);
  assert.match(all, /Verdicts/);
  assert.match(all, /indistinguishable/);
  // The selected config's interval tooltip carries its numbers.
  assert.match(intervals[0]?.getElementsByTagName('title')[0]?.textContent ?? '', /mean 0\.9851, 95% CI 0\.98449–0\.98571 \(n = 5\) — selected/);
});

test('a forest plot without test metrics has one panel', () => {
  const c = asConfirmOutput(doc.stage_output);
  assert.ok(c);
  const noTest = { ...c, configs: c.configs.map((x) => ({ ...x, test: null })) };
  assert.equal(select(parseXml(forestChart(noTest).svg), 'g', 'interval').length, c.configs.length);
});

test('asConfirmOutput: null for other stages, an error naming the bad field', () => {
  assert.equal(asConfirmOutput(undefined), null);
  assert.equal(asConfirmOutput({ stage: 'zones' }), null);
  const bad = structuredClone(doc.stage_output) as { configs: { validation: { low: unknown } }[] };
  (bad.configs[2] as { validation: { low: unknown } }).validation.low = 'x';
  assert.throws(() => asConfirmOutput(bad as unknown as Record<string, unknown>), /`stage_output\.configs\[2\]\.validation\.low` is "x"/);
  assert.throws(() => asConfirmOutput({ stage: 'confirm', metric: 'm', best: 'b', configs: [] }), /`stage_output\.configs` is \[\]/);
});
