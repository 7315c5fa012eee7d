import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseResultSet } from '../../results/resultset.js';
import { dataFromResultSet, pickAxes } from './data.js';
import { renderHtml } from './html.js';
import { buildReport } from './report.js';
import { gridData, parseXml, select } from './test-support.js';
import { defaultZoneSpace, runZoneStrategy, type ConfirmOutput, type ZonesOutput } from '../../strategies/zones/index.js';
import { syntheticEvaluate, twoPeaks } from '../../strategies/zones/testkit.js';
import { emptyResultSet } from '../../results/index.js';

const rs = parseResultSet(JSON.parse(readFileSync(new URL('../../../docs/zones-gpu-2026-11-26/run2-4-confirm.json', import.meta.url), 'utf8')), 'run2-4-confirm.json');

test('a zone study stage-4 document gives seven charts; zones found again from stage 1 with the validation size', () => {
  const r = buildReport(dataFromResultSet(rs, 'run2-4-confirm.json'), { zoneOptions: { valSize: 12_000 } });
  assert.deepEqual(r.charts.map((c) => c.id), ['history', 'front', 'heatmap', 'curves', 'importance', 'forest', 'parallel']);
  // Its stage-1 entries kept no per-epoch values: the page says why there is no 3D surface.
  assert.deepEqual(r.skipped.map((s) => s.reason), ['no trials reported val_accuracy per step on at least a 2 × 2 grid of units × batch_size']);
  const heat = parseXml(r.charts[2]?.svg ?? '');
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
  const note = select(heat, 'text', 'note').map((t) => t.textContent ?? '').join(' ');
  // It says the zones cannot be found again from this document alone, and where they are, not that the study found none.
  assert.match(note, /Zones not outlined: stage 1 could not be repeated from this document alone \(Cannot estimate the noise band/);
  assert.match(note, /from stage 1's 1-zones\.json, or give --val-size N\./);
  // Stage 1's output beside the document (its 1-zones.json) outlines them.
  const zones = [{ rank: 1, peak: { units: 512, batch_size: 64 }, value: 0.98, n: 1, prominence: null, extent: [{ units: 512, batch_size: 64 }] }];
  const beside = buildReport(dataFromResultSet(rs, 'x.json'), { stageZones: { zones } as unknown as ZonesOutput });
  assert.equal(select(parseXml(beside.charts.find((c) => c.id === 'heatmap')?.svg ?? ''), 'g', 'zone').length, 1);
});

test('the HTML page is self-contained and well-formed as XML, with every chart inline and text escaped', () => {
  const d = gridData({ param3: true, sizes: true, extra: [{ state: 'failed' }] });
  const html = renderHtml(buildReport({ ...d, source: 'study <b>&"x"' }), new Date('2026-11-26T12:00:00Z'));
  assert.doesNotMatch(html, /<script|<link|https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'no scripts, stylesheets or network addresses');
  assert.match(html, /Content-Security-Policy/);
  assert.match(html, /study &lt;b&gt;&amp;&quot;x&quot;/);
  // The page minus its doctype and the void <meta> tags parses as XML.
  const xml = html.replace('<!DOCTYPE html>', '').replace(/<meta [^>]*>/g, '');
  const doc = parseXml(xml, 'text/xml');
  assert.equal(doc.getElementsByTagName('svg').length, 10, 'history, the size front, heatmap, the surface at 4 epochs, curves, importance, parallel');
  assert.doesNotMatch(html, /Not drawn/, 'every chart that applies was drawn');
  const two = buildReport(gridData());
  assert.deepEqual(two.skipped.map((s) => s.title), ['m against trainable parameters (Pareto front)', 'Parallel coordinates']);
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

test('a zone study read from storage (no stage_output) gets its forest plot worked out again, or a sentence saying why not', async () => {
  const options = { epochs: 3, repeats: 2, maxZones: 1, topK: 2, confirmSeeds: 3, seed: 7 };
  const start = emptyResultSet(defaultZoneSpace().toJSON(), { metric: 'val_accuracy', direction: 'maximize' }, {});
  const res = await runZoneStrategy(async (plan, stage) => syntheticEvaluate({ f: twoPeaks, sd: 0.0005 }, plan, stage), start, options);
  const { stage_output: out, ...stored } = res.final;
  // As `report --study` sees it: trials tagged with their stage, no stage documents.
  const asStudy = (rs: typeof stored): ReturnType<typeof dataFromResultSet> => ({ ...dataFromResultSet(rs, 'study z'), order: 'trial' });
  const r = buildReport(asStudy(stored), { zoneOptions: options });
  const forest = r.charts.find((c) => c.id === 'forest');
  assert.ok(forest, `skipped: ${JSON.stringify(r.skipped)}`);
  assert.match(forest.caption, /Worked out again from the stored stage-4 runs/);
  assert.ok(forest.svg.includes((out as unknown as ConfirmOutput).best.split(' ')[0] ?? '?'));
  assert.match(r.summary.join('\n'), new RegExp(`Selected in stage 4 \\(on val_accuracy\\): ${(out as unknown as ConfirmOutput).best}`));
  assert.equal(select(parseXml(r.charts.find((c) => c.id === 'heatmap')?.svg ?? ''), 'g', 'special').length, 2, 'selected and baseline marked');
  // Stage 4 not run yet: the page says so.
  const early = buildReport(asStudy({ ...stored, entries: stored.entries.filter((e) => e.stage !== 'confirm') }), { zoneOptions: options });
  assert.equal(early.charts.find((c) => c.id === 'forest'), undefined);
  assert.match(early.skipped.map((s) => `${s.title}: ${s.reason}`).join('\n'), /forest plot\): stage 4 \(confirm\) has no results in this study yet \(it has trials of zones, refine, schedules\)/);
  assert.match(renderHtml(early), /Not drawn.*stage 4 \(confirm\) has no results/s);
  // Half of stage 4 done: not finished, with the count.
  const confirmRuns = stored.entries.filter((e) => e.stage === 'confirm');
  const half = buildReport(asStudy({ ...stored, entries: stored.entries.filter((e) => e.stage !== 'confirm' || confirmRuns.indexOf(e) % 2 === 0) }), { zoneOptions: options });
  assert.match(half.skipped.map((s) => s.reason).join('\n'), new RegExp(`stage 4 is not finished: ${Math.floor(confirmRuns.length / 2)} of its planned runs have no result yet`));
  // Not a zone study: no forest and nothing said about one.
  assert.ok(!buildReport(gridData()).skipped.some((s) => /forest/.test(s.title)));
});
