import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axisCells, cellIndex, heatmapChart } from './heatmap.js';
import { gridData, parseXml, select, SPACE } from './test-support.js';

test('axisCells: a cell per grid value, edges at geometric midpoints on a log axis', () => {
  const c = axisCells([16, 32, 64, 32], true);
  assert.deepEqual(c.centres, [16, 32, 64]);
  assert.equal(c.binned, false);
  assert.ok(Math.abs((c.edges[1] as number) - Math.sqrt(16 * 32)) < 1e-9);
  assert.ok(Math.abs((c.edges[0] as number) - 16 / Math.SQRT2) < 1e-9);
  assert.equal(cellIndex(c, 32), 1);
  assert.equal(cellIndex(c, 48), -1);
  const lin = axisCells([0, 1, 2], false);
  assert.deepEqual(lin.edges, [-0.5, 0.5, 1.5, 2.5]);
});

test('axisCells bins many continuous values; the last bin holds the maximum', () => {
  const vs = Array.from({ length: 100 }, (_, i) => 1e-4 * 10 ** (i / 33));
  const c = axisCells(vs, true, 24, 10);
  assert.equal(c.binned, true);
  assert.equal(c.centres.length, 10);
  assert.equal(cellIndex(c, vs[0] as number), 0);
  assert.equal(cellIndex(c, vs[99] as number), 9);
  assert.equal(cellIndex(c, 1e9), -1);
});

test('heatmap: one cell per grid point with its value in a tooltip, log axes, a colour bar', () => {
  const c = heatmapChart(gridData(), { x: 'units', y: 'batch_size' });
  assert.ok(c);
  const doc = parseXml(c.svg);
  const cells = select(doc, 'rect', 'cell');
  assert.equal(cells.length, 20);
  const tips = cells.map((r) => r.getElementsByTagName('title')[0]?.textContent ?? '');
  assert.ok(tips.some((t) => /^units=384 batch_size=32: m = 0\.99 /.test(t)), tips.join('\n'));
  assert.equal(select(doc, 'linearGradient').length, 1);
  assert.equal(select(doc, 'linearGradient')[0]?.getAttribute('id'), 'heatmap-ramp');
  const labels = select(doc, 'text', 'label').map((t) => t.textContent);
  assert.ok(labels.includes('units (log scale)') && labels.includes('batch_size (log scale)'), labels.join(','));
  // The best cell is the brightest (the ramp's top colour).
  const best = cells.find((r) => (r.getElementsByTagName('title')[0]?.textContent ?? '').startsWith('units=384 batch_size=32'));
  assert.equal(best?.getAttribute('fill'), '#fde725');
});

test('heatmap for minimize: the smallest value is brightest', () => {
  const c = heatmapChart(gridData({ direction: 'minimize' }), { x: 'units', y: 'batch_size' });
  const cells = select(parseXml(c?.svg ?? ''), 'rect', 'cell');
  const best = cells.find((r) => (r.getElementsByTagName('title')[0]?.textContent ?? '').startsWith('units=384 batch_size=32'));
  assert.equal(best?.getAttribute('fill'), '#fde725');
});

test('heatmap outlines zones: the extent boundary and the peak ring, and draws special marks', () => {
  const zones = [
    {
      rank: 1, peak: { units: 384, batch_size: 32 }, value: 0.99, n: 1, prominence: null,
      extent: [{ units: 384, batch_size: 32 }, { units: 256, batch_size: 32 }],
    },
    { rank: 2, peak: { units: 128, batch_size: 128 }, value: 0.95, n: 1, prominence: 0.01, extent: [{ units: 128, batch_size: 128 }] },
  ];
  const c = heatmapChart(gridData(), { x: 'units', y: 'batch_size', zones, marks: [{ params: { units: 512, batch_size: 16 }, label: 'selected', shape: 'star' }] });
  assert.ok(c);
  const doc = parseXml(c.svg);
  const z = select(doc, 'g', 'zone');
  assert.equal(z.length, 2);
  // Two adjacent cells: 6 outer edges (the shared edge is not drawn); a single cell: 4.
  const segs = (g: (typeof z)[number]): number => ((select(g, 'path')[1]?.getAttribute('d') ?? '').match(/M/g) ?? []).length;
  assert.equal(segs(z[0] as (typeof z)[number]), 6);
  assert.equal(segs(z[1] as (typeof z)[number]), 4);
  assert.equal(select(z[0] as (typeof z)[number], 'circle').length, 2, 'ring with its halo');
  assert.equal(select(doc, 'g', 'special').length, 1);
  assert.ok(select(doc, 'text').some((t) => t.textContent === 'Z2'));
});

test('heatmap escapes param names and shows a zones note', () => {
  const d = gridData();
  const evil = 'a<b&"c"';
  const data = {
    ...d,
    space: { [evil]: SPACE.units!, batch_size: SPACE.batch_size! },
    trials: d.trials.map((t) => ({ ...t, params: { [evil]: t.params.units as number, batch_size: t.params.batch_size as number } })),
  };
  const c = heatmapChart(data, { x: evil, y: 'batch_size', zonesNote: 'Zones not outlined: <why>' });
  const doc = parseXml(c?.svg ?? '');
  assert.ok(select(doc, 'text', 'label').some((t) => t.textContent === `${evil} (log scale)`));
  assert.ok(select(doc, 'text', 'note').some((t) => t.textContent === 'Zones not outlined: <why>'));
});
