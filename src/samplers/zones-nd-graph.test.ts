import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NeighbourLists, zoneDistance, type GraphPoint } from './zones-nd-graph.js';
import { Space } from '../space/space.js';
import { Rng } from '../core/rng.js';
import { paramsKey } from '../core/keys.js';
import type { Params } from '../core/types.js';

/** The lists as findZones built them before NeighbourLists: every other point, stably sorted by distance, cut at k. */
function bruteForce(space: Space, points: readonly GraphPoint[], k: number): number[][] {
  return points.map((p, i) => points
    .map((q, j) => ({ j, d: j === i ? Infinity : zoneDistance(space, p, q) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, Math.min(k, points.length - 1))
    .map((e) => e.j));
}

const space = Space.fromSpec({
  // Finite axes with few values: many points at equal distances, so the order of ties is tested.
  a: { type: 'series', values: [1, 2, 3] },
  b: { type: 'categorical', choices: ['x', 'y', 'z'] },
  c: { type: 'float', low: 0, high: 1 },
  d: { type: 'int', low: 0, high: 2 },
});

function point(p: Params): GraphPoint {
  return { key: paramsKey(p), params: p, unit: space.toUnit(p) };
}

test('NeighbourLists: points appended or inserted in the middle, or rebuilt when one leaves, give the brute-force lists', () => {
  const rng = new Rng(5);
  const all: GraphPoint[] = [];
  const seen = new Set<string>();
  while (all.length < 160) {
    const p = space.sample(rng);
    // Half the points on a coarse lattice of c: exact ties in distance.
    const q = rng.next() < 0.5 ? { ...p, c: Math.round((p['c'] as number) * 4) / 4 } : p;
    const g = point(q);
    if (!seen.has(g.key)) { seen.add(g.key); all.push(g); }
  }
  for (const k of [1, 3, 8]) {
    const lists = new NeighbourLists(space, k);
    for (let n = 0; n <= all.length; n += n < 12 ? 1 : 7) {
      assert.deepEqual(lists.update(all.slice(0, n)), bruteForce(space, all.slice(0, n), k), `k ${k}, ${n} points appended`);
    }
    // Points that finished out of order land in the middle (one or several at a time).
    const growing = all.slice(0, 20);
    const lateRng = new Rng(k);
    for (const g of all.slice(20, 90)) {
      growing.splice(Math.floor(lateRng.next() * (growing.length + 1)), 0, g);
      if (lateRng.next() < 0.6) assert.deepEqual(lists.update(growing), bruteForce(space, growing, k), `k ${k}, ${growing.length} points, inserted`);
    }
    // One that left (another space's view) or moved: rebuilt.
    const shuffled = [...all.slice(0, 50), all[120] as GraphPoint, ...all.slice(50, 80)];
    assert.deepEqual(lists.update(shuffled), bruteForce(space, shuffled, k), `k ${k}, inserted in the middle`);
    assert.deepEqual(lists.update(all.slice(0, 30)), bruteForce(space, all.slice(0, 30), k), `k ${k}, fewer points`);
  }
});
