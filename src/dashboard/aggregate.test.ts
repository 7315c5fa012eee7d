import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paretoFront } from './aggregate.js';

test('paretoFront agrees with brute force for every pair of senses, ties and non-finite points included', () => {
  let seed = 7;
  const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (const senses of [['minimize', 'maximize'], ['maximize', 'maximize'], ['minimize', 'minimize'], ['maximize', 'minimize']] as const) {
    for (let rep = 0; rep < 20; rep++) {
      // Coarse values, so ties and exact duplicates happen; one NaN point that must be left out.
      const pts = Array.from({ length: 60 }, (_, i) => ({ i, a: Math.round(rand() * 10), b: Math.round(rand() * 10) }));
      pts.push({ i: 60, a: NaN, b: 100 });
      const better = (x: number, y: number, s: string): boolean => (s === 'maximize' ? x > y : x < y);
      const atLeast = (x: number, y: number, s: string): boolean => x === y || better(x, y, s);
      const finite = pts.filter((p) => Number.isFinite(p.a) && Number.isFinite(p.b));
      const brute = finite.filter((p) => !finite.some((q) => q !== p && atLeast(q.a, p.a, senses[0]) && atLeast(q.b, p.b, senses[1])
        && (better(q.a, p.a, senses[0]) || better(q.b, p.b, senses[1]) || q.i < p.i)));
      const got = paretoFront(pts, (p) => p.a, (p) => p.b, senses);
      assert.deepEqual(got.map((p) => p.i).sort((x, y) => x - y), brute.map((p) => p.i).sort((x, y) => x - y), `${senses.join('/')} #${rep}`);
      for (let k = 1; k < got.length; k++) assert.ok(better((got[k - 1] as { a: number }).a, (got[k] as { a: number }).a, senses[0]), 'ordered best first on the first objective');
    }
  }
});
