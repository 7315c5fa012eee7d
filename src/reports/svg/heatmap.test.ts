import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axisCells, cellIndex, cellLabelPlace, heatmapChart, isGridAxis } from './heatmap.js';
import { contrastRatio } from './color.js';
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

/** The cell rect under a point (cells do not overlap). */
function cellUnder(doc: ReturnType<typeof parseXml>, x: number, y: number): Element | undefined {
  return select(doc, 'rect', 'cell').find((r) => {
    const rx = Number(r.getAttribute('x'));
    const ry = Number(r.getAttribute('y'));
    return x >= rx && x <= rx + Number(r.getAttribute('width')) && y >= ry && y <= ry + Number(r.getAttribute('height'));
  });
}
type Element = ReturnType<typeof select>[number];

test('heatmap cell values: ink picked per cell reaches WCAG 4.5:1, and no stylesheet rule overrides it', () => {
  // A wide range so the cells run from dark purple to yellow.
  const d = gridData();
  const data = { ...d, trials: d.trials.map((t, i) => ({ ...t, value: 0.5 + i * 0.025 })) };
  const c = heatmapChart(data, { x: 'units', y: 'batch_size' });
  const doc = parseXml(c?.svg ?? '');
  const values = select(doc, 'text', 'cell-value');
  assert.equal(values.length, 20);
  let white = 0;
  for (const t of values) {
    const rect = cellUnder(doc, Number(t.getAttribute('x')), Number(t.getAttribute('y')) - 3);
    assert.ok(rect, `no cell under ${t.textContent}`);
    const ink = t.getAttribute('fill') ?? '';
    if (ink === '#ffffff') white++;
    assert.ok(contrastRatio(ink, rect.getAttribute('fill') ?? '') >= 4.5, `${t.textContent}: ${ink} on ${rect.getAttribute('fill')}`);
  }
  assert.ok(white > 0 && white < 20, 'dark cells get white ink, bright ones black');
  // A CSS rule on text (or *) that sets fill beats the fill attribute: every value would be drawn in that colour.
  const css = select(doc, 'style').map((s) => s.textContent ?? '').join('');
  for (const rule of css.matchAll(/([^{}]+)\{([^}]*)\}/g)) {
    const selectors = (rule[1] ?? '').split(',').map((x) => x.trim());
    if (selectors.some((x) => x === 'text' || x === '*' || x === 'svg text') ) assert.doesNotMatch(rule[2] ?? '', /(^|;)\s*fill\s*:/, `rule ${rule[0]}`);
  }
});

test('heatmap marks sit in a corner of their cell and never cover its value', () => {
  const marks = [
    { params: { units: 384, batch_size: 32 }, label: 'selected', shape: 'star' as const },
    { params: { units: 256, batch_size: 32 }, label: 'baseline', shape: 'square' as const },
    { params: { units: 300, batch_size: 45 }, label: 'off-grid', shape: 'star' as const },
  ];
  const zones = [{ rank: 1, peak: { units: 384, batch_size: 32 }, value: 0.99, n: 1, prominence: null, extent: [{ units: 384, batch_size: 32 }] }];
  for (const height of [440, 260]) {
    const c = heatmapChart(gridData(), { x: 'units', y: 'batch_size', marks, zones, height });
    const doc = parseXml(c?.svg ?? '');
    const shapes = select(doc, 'g', 'special');
    assert.equal(shapes.length, 3);
    const boxes = shapes.map((g) => {
      const poly = select(g, 'polygon')[0];
      if (poly) {
        const pts = (poly.getAttribute('points') ?? '').split(' ').map((p) => p.split(',').map(Number) as [number, number]);
        const xs = pts.map((p) => p[0]);
        const ys = pts.map((p) => p[1]);
        return { x: Math.min(...xs), y: Math.min(...ys), w: Math.max(...xs) - Math.min(...xs), h: Math.max(...ys) - Math.min(...ys) };
      }
      const r = select(g, 'rect')[0];
      return { x: Number(r?.getAttribute('x')), y: Number(r?.getAttribute('y')), w: Number(r?.getAttribute('width')), h: Number(r?.getAttribute('height')) };
    });
    for (const t of select(doc, 'text', 'cell-value')) {
      const size = Number(t.getAttribute('font-size'));
      const w = (t.textContent ?? '').length * 0.6 * size;
      const tb = { x: Number(t.getAttribute('x')) - w / 2, y: Number(t.getAttribute('y')) - 0.8 * size, w, h: size };
      for (const b of boxes) {
        const hit = tb.x < b.x + b.w && b.x < tb.x + tb.w && tb.y < b.y + b.h && b.y < tb.y + tb.h;
        assert.ok(!hit, `height ${height}: value ${t.textContent} at ${JSON.stringify(tb)} under a mark at ${JSON.stringify(b)}`);
      }
    }
    // Every cell still shows its value (the marked ones moved, not dropped) at the default size.
    if (height === 440) assert.equal(select(doc, 'text', 'cell-value').length, 20);
  }
  assert.equal(cellLabelPlace({ x: 0, y: 0, w: 40, h: 12 }, '0.983', [{ x: 0, y: 0, w: 40, h: 12 }]), null, 'no room: the value stays in the tooltip');
});

test('heatmap y-axis title is never clipped: the left margin grows with the tick labels', () => {
  const lrs = [0.0001235, 0.0002469, 0.0004938, 0.0009877];
  const trials = lrs.flatMap((lr, i) => [16, 32, 64].map((b, j) => ({ number: i * 3 + j, state: 'complete' as const, params: { batch_size: b, learning_rate: lr }, value: 0.9 + i * 0.01 + j * 0.001, steps: [] })));
  const data = { source: 't', metric: 'm', direction: 'maximize' as const, order: 'trial' as const, trials, space: { batch_size: { type: 'series' as const, values: [16, 32, 64] }, learning_rate: { type: 'series' as const, values: lrs } } };
  const doc = parseXml(heatmapChart(data, { x: 'batch_size', y: 'learning_rate' })?.svg ?? '');
  const title = select(doc, 'text', 'label').find((t) => (t.textContent ?? '').startsWith('learning_rate'));
  assert.equal(title?.textContent, 'learning_rate (log scale)');
  const lx = Number(title?.getAttribute('x'));
  assert.ok(lx - 12 >= 0, `the rotated title's glyphs start at x = ${lx - 12}`);
  // And it clears the widest tick label (right-aligned at the axis - 8).
  const axis = select(doc, 'g', 'y-axis')[0];
  const ticks = axis ? select(axis, 'text', 'tick') : [];
  assert.equal(ticks.length, 4);
  for (const t of ticks) assert.ok(Number(t.getAttribute('x')) - (t.textContent ?? '').length * 6.2 > lx + 3, `tick ${t.textContent} runs into the title`);
});

test('continuous params (TPE, random): a scatter of every trial, not a heatmap of distinct-value cells', () => {
  const trials = Array.from({ length: 12 }, (_, i) => ({
    number: i, state: 'complete' as const, steps: [],
    params: { learning_rate: 1e-4 * 10 ** ((i * 7) % 12 / 4), dropout: ((i * 5) % 12) / 24 },
    value: 0.9 + ((i * 5) % 12) / 200,
  }));
  const data = { source: 't', metric: 'm', direction: 'maximize' as const, order: 'trial' as const, trials,
    space: { learning_rate: { type: 'float' as const, low: 1e-4, high: 0.1, log: true }, dropout: { type: 'float' as const, low: 0, high: 0.5 } } };
  const c = heatmapChart(data, { x: 'learning_rate', y: 'dropout' });
  const doc = parseXml(c?.svg ?? '');
  assert.equal(select(doc, 'rect', 'cell').length, 0);
  const dots = select(doc, 'circle', 'dot');
  assert.equal(dots.length, 12);
  assert.match(c?.caption ?? '', /^Scatter of 12 trials/);
  assert.ok(select(doc, 'text', 'label').some((t) => t.textContent === 'learning_rate (log scale)'));
  // Distinct positions, one per trial; the best last (on top) and ringed.
  assert.equal(new Set(dots.map((d) => `${d.getAttribute('cx')},${d.getAttribute('cy')}`)).size, 12);
  assert.match(dots[11]?.getElementsByTagName('title')[0]?.textContent ?? '', /— best$/);
  assert.equal(select(doc, 'circle', 'best-ring').length, 1);
  // Grid axes keep the heatmap; an int range with few values is a grid, a log int range is not.
  assert.equal(isGridAxis({ type: 'int', low: 1, high: 8 }, []), true);
  assert.equal(isGridAxis({ type: 'int', low: 16, high: 1024, log: true }, []), false);
  assert.equal(isGridAxis(undefined, [1, 2, 3]), true);
});
