import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Direction } from '../../core/types.js';
import { hypervolume, toMinimization } from '../../stats/pareto.js';
import { buildReport } from './report.js';
import { frontChart, frontInput, frontOutline } from './front.js';
import { gridData, parseXml, select, twoObjectiveData } from './test-support.js';

/** The front by brute force: points no other point is at least as good as in both and better in one. */
function bruteFront(pts: readonly { n: number; a: number; b: number }[], da: Direction, db: Direction): number[] {
  const m = (p: { a: number; b: number }): number[] => toMinimization([p.a, p.b], [da, db]);
  return pts.filter((p) => !pts.some((q) => {
    const [pa, pb] = m(p) as [number, number];
    const [qa, qb] = m(q) as [number, number];
    return qa <= pa && qb <= pb && (qa < pa || qb < pb);
  })).map((p) => p.n).sort((x, y) => x - y);
}

test('two objectives: every complete trial drawn, the front (as brute force finds it) marked and listed, hypervolume and reference named', () => {
  const data = twoObjectiveData(60);
  const c = frontChart(data);
  assert.ok(c);
  const doc = parseXml(c.svg);
  const complete = data.trials.filter((t) => t.state === 'complete');
  const expected = bruteFront(complete.map((t) => ({ n: t.number, a: t.values?.[0] as number, b: t.values?.[1] as number })), 'maximize', 'minimize');
  assert.ok(expected.length >= 3, 'a front worth drawing');
  assert.equal(select(doc, 'circle', 'front').length, expected.length);
  assert.equal(select(doc, 'circle', 'trial').length, complete.length - expected.length);
  const listed = select(doc, 'g', 'front-row').map((g) => Number(g.getElementsByTagName('text')[0]?.textContent));
  assert.deepEqual([...listed].sort((x, y) => x - y), expected);
  // Listed best first on the first objective.
  const accs = select(doc, 'g', 'front-row').map((g) => Number(g.getElementsByTagName('text')[1]?.textContent));
  for (let i = 1; i < accs.length; i++) assert.ok((accs[i] as number) <= (accs[i - 1] as number));
  // The reference point is the worst observed of each: lowest accuracy, most parameters.
  const worstAcc = Math.min(...complete.map((t) => t.values?.[0] as number));
  const worstSize = Math.max(...complete.map((t) => t.values?.[1] as number));
  const bestAcc = Math.max(...complete.map((t) => t.values?.[0] as number));
  const bestSize = Math.min(...complete.map((t) => t.values?.[1] as number));
  const scaled = complete.map((t) => [
    (bestAcc - (t.values?.[0] as number)) / (bestAcc - worstAcc),
    ((t.values?.[1] as number) - bestSize) / (worstSize - bestSize),
  ]);
  const hv = hypervolume(scaled, [1, 1]);
  assert.match(c.caption, new RegExp(`Hypervolume ${hv.toFixed(4)} of 1`));
  assert.match(c.caption, new RegExp(`reference point at the worst observed \\(val_accuracy = ${String(Number(worstAcc.toPrecision(5))).replace('.', '\\.')}, parameters = ${worstSize}\\)`));
  const panel = select(doc, 'g', 'front-list')[0]?.textContent ?? '';
  assert.match(panel, new RegExp(`hypervolume ${hv.toFixed(4)}`));
  assert.match(panel, new RegExp(worstSize.toLocaleString('en-US')));
  // Every trial in the caption's list, by number.
  for (const n of expected) assert.match(c.caption, new RegExp(`#${n} \\(`));
  // Geometry: maximising up and minimising leftwards, every grey dot has a front dot up-left of it (or level).
  const at = (cls: string): [number, number][] => select(doc, 'circle', cls).map((e) => [Number(e.getAttribute('cx')), Number(e.getAttribute('cy'))]);
  const fronts = at('front');
  for (const [x, y] of at('trial')) assert.ok(fronts.some(([fx, fy]) => fx <= x + 0.01 && fy <= y + 0.01), `a dominated dot at ${x}, ${y} with no front dot up-left`);
  assert.match(select(doc, 'text', 'label').map((t) => t.textContent).join('|'), /parameters \(minimize, log scale\)/);
});

test('frontOutline: a staircase through the front whose region has the front\'s hypervolume, for every pair of directions', () => {
  let seed = 3;
  const r = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (const dx of ['minimize', 'maximize'] as const) {
    for (const dy of ['minimize', 'maximize'] as const) {
      const pts = Array.from({ length: 40 }, (_, n) => ({ n, a: r() * 10, b: r() * 3 - 1 }));
      const frontNs = bruteFront(pts, dy, dx).map((n) => pts[n] as { n: number; a: number; b: number });
      const worst = (vs: number[], d: Direction): number => (d === 'maximize' ? Math.min(...vs) : Math.max(...vs));
      const ref = { y: worst(pts.map((p) => p.a), dy), x: worst(pts.map((p) => p.b), dx) };
      const { line, region } = frontOutline(frontNs.map((p) => ({ y: p.a, x: p.b })), { x: dx, y: dy }, ref);
      for (const p of frontNs) assert.ok(line.some(([x, y]) => x === p.b && y === p.a), `${dx}/${dy}: the line misses a front point`);
      for (let i = 1; i < line.length; i++) {
        const [x0, y0] = line[i - 1] as [number, number];
        const [x1, y1] = line[i] as [number, number];
        assert.ok(x0 === x1 || y0 === y1, `${dx}/${dy}: a diagonal segment`);
      }
      // Shoelace area of the region = the hypervolume of the front against the reference point.
      let area = 0;
      region.forEach(([x0, y0], i) => {
        const [x1, y1] = region[(i + 1) % region.length] as [number, number];
        area += x0 * y1 - x1 * y0;
      });
      const hv = hypervolume(frontNs.map((p) => toMinimization([p.a, p.b], [dy, dx])), toMinimization([ref.y, ref.x], [dy, dx]));
      assert.ok(Math.abs(Math.abs(area) / 2 - hv) < 1e-9, `${dx}/${dy}: region ${Math.abs(area) / 2}, hypervolume ${hv}`);
    }
  }
});

test('one objective: the objective against trainable parameters; none, three objectives: the reason', () => {
  const sized = gridData({ sizes: true });
  const c = frontChart(sized);
  assert.ok(c);
  assert.match(c.title, /m against trainable parameters/);
  const doc = parseXml(c.svg);
  const expected = bruteFront(sized.trials.map((t) => ({ n: t.number, a: t.value as number, b: t.parameters as number })), 'maximize', 'minimize');
  assert.equal(select(doc, 'circle', 'front').length, expected.length);
  assert.deepEqual(frontInput(gridData()), { kind: 'none', reason: 'no complete trial reports trainable parameters (the final metric `parameters`)' });
  const three = { ...twoObjectiveData(10), objectives: [{ metric: 'a', direction: 'maximize' as const }, { metric: 'b', direction: 'minimize' as const }, { metric: 'c', direction: 'minimize' as const }] };
  assert.equal(frontChart(three), null);
  assert.match(buildReport(three).skipped.map((s) => s.reason).join('\n'), /3 objectives and the chart draws two/);
});

test('the report of a two-objective study: the front chart second, the objectives and the front in the summary', () => {
  const r = buildReport(twoObjectiveData(60));
  assert.equal(r.charts[1]?.id, 'front');
  assert.match(r.summary.join('\n'), /Objectives: maximize val_accuracy, minimize parameters/);
  assert.match(r.summary.join('\n'), /Pareto front: \d+ of 57 complete trials \(#\d+/);
  assert.ok(!r.skipped.some((s) => /Pareto/.test(s.title)));
});

test('many points: the list keeps to the panel and says how many more', () => {
  const data = twoObjectiveData(60);
  const c = frontChart(data, { maxRows: 3 });
  assert.ok(c);
  const doc = parseXml(c.svg);
  assert.equal(select(doc, 'g', 'front-row').length, 3);
  assert.match(select(doc, 'g', 'front-list')[0]?.textContent ?? '', /… \d+ more/);
});
