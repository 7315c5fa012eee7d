import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseResultSet } from '../../results/resultset.js';
import { dataFromResultSet, pickAxes } from './data.js';
import { renderHtml } from './html.js';
import { buildReport } from './report.js';
import { gridData, parseXml, select } from './test-support.js';

const rs = parseResultSet(JSON.parse(readFileSync(new URL('../../../docs/zones-gpu-2026-11-26/run2-4-confirm.json', import.meta.url), 'utf8')), 'run2-4-confirm.json');

test('a zone study stage-4 document gives all five charts; zones found again from stage 1 with the validation size', () => {
  const r = buildReport(dataFromResultSet(rs, 'run2-4-confirm.json'), { zoneOptions: { valSize: 12_000 } });
  assert.deepEqual(r.charts.map((c) => c.id), ['history', 'heatmap', 'curves', 'forest', 'parallel']);
  assert.deepEqual(r.skipped, []);
  const heat = parseXml(r.charts[1]?.svg ?? '');
  assert.equal(select(heat, 'rect', 'cell').length, 91, 'the 13 × 7 stage-1 grid');
  assert.equal(select(heat, 'g', 'zone').length, 1);
  assert.equal(select(heat, 'g', 'special').length, 2, 'selected and baseline');
  assert.equal(select(parseXml(r.charts[0]?.svg ?? ''), 'circle', 'complete').length, 142);
  assert.match(r.summary.join('\n'), /142 entries: 142 complete/);
});

test('without a validation size the heatmap says why zones are not outlined', () => {
  const r = buildReport(dataFromResultSet(rs, 'x.json'));
  const heat = parseXml(r.charts.find((c) => c.id === 'heatmap')?.svg ?? '');
  assert.equal(select(heat, 'g', 'zone').length, 0);
  assert.ok(select(heat, 'text', 'note').some((t) => /Zones not outlined: Cannot estimate the noise band/.test(t.textContent ?? '')));
});

test('the HTML page is self-contained and well-formed as XML, with every chart inline and text escaped', () => {
  const d = gridData({ param3: true, extra: [{ state: 'failed' }] });
  const html = renderHtml(buildReport({ ...d, source: 'study <b>&"x"' }), new Date('2026-11-26T12:00:00Z'));
  assert.doesNotMatch(html, /<script|<link|https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'no scripts, stylesheets or network addresses');
  assert.match(html, /Content-Security-Policy/);
  assert.match(html, /study &lt;b&gt;&amp;&quot;x&quot;/);
  // The page minus its doctype and the void <meta> tags parses as XML.
  const xml = html.replace('<!DOCTYPE html>', '').replace(/<meta [^>]*>/g, '');
  const doc = parseXml(xml, 'text/xml');
  assert.equal(doc.getElementsByTagName('svg').length, 4, 'history, heatmap, curves, parallel');
  assert.doesNotMatch(html, /Not drawn/, 'every chart that applies was drawn');
  const two = buildReport(gridData());
  assert.deepEqual(two.skipped.map((s) => s.title), ['Parallel coordinates']);
  assert.match(renderHtml(two), /Not drawn.*Parallel coordinates: the trials have two params or fewer/s);
});

test('pickAxes: defaults to the first two ordered params; bad --x/--y name the flag and the value', () => {
  const d = gridData({ param3: true });
  assert.deepEqual(pickAxes(d), { x: 'units', y: 'batch_size' });
  assert.deepEqual(pickAxes(d, 'batch_size'), { x: 'batch_size', y: 'units' });
  assert.throws(() => pickAxes(d, 'nope'), /`--x nope` is not a parameter of this study; its parameters are units, batch_size, act/);
  assert.throws(() => pickAxes(d, undefined, 'act'), /`--y act` is not an ordered \(numeric\) parameter/);
  assert.throws(() => pickAxes(d, 'units', 'units'), /same parameter/);
  assert.equal(pickAxes({ ...d, space: {}, trials: d.trials.map((t) => ({ ...t, params: { act: t.params.act as string } })) }), null);
});
