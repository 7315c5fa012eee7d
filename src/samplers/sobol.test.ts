import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SobolSampler, SobolSequence, SOBOL_MAX_DIM } from './sobol.js';
import { CategoricalDistribution, FloatDistribution, SeriesDistribution, type Distribution } from '../space/distribution.js';
import { Space } from '../space/space.js';
import { runSequential } from '../../bench/support/loop.js';

test('the plain sequence starts with the textbook points', () => {
  const s = new SobolSequence(3, null);
  assert.deepEqual([0, 1, 2, 3].map((i) => s.point(i)), [
    [0, 0, 0],
    [0.5, 0.5, 0.5],
    [0.75, 0.25, 0.25],
    [0.25, 0.75, 0.75],
  ]);
});

test('every 2^m prefix is stratified on each axis and on each pair of the first dimensions, shifted or not', () => {
  for (const seed of [null, 7]) {
    const s = new SobolSequence(SOBOL_MAX_DIM, seed);
    const pts = Array.from({ length: 256 }, (_, i) => s.point(i));
    for (let d = 0; d < SOBOL_MAX_DIM; d++) {
      const cells = new Set(pts.map((p) => Math.floor((p[d] as number) * 256)));
      assert.equal(cells.size, 256, `dim ${d} seed ${seed}`);
    }
    // (0,2)-sequence in dims 0 and 1: each 16×16 square holds exactly one of 256 points.
    const squares = new Set(pts.map((p) => `${Math.floor((p[0] as number) * 16)},${Math.floor((p[1] as number) * 16)}`));
    assert.equal(squares.size, 256);
  }
  assert.throws(() => new SobolSequence(SOBOL_MAX_DIM + 1, null), /dim/);
});

test('the sampler continues the sequence from trial attrs, with one shift per study', () => {
  const space = new Space(new Map<string, Distribution>([
    ['x', new FloatDistribution(0, 1)],
    ['units', new SeriesDistribution([16, 32, 64, 128])],
    ['act', new CategoricalDistribution(['relu', 'tanh'])],
  ]));
  const run = runSequential(new SobolSampler(), space, 'minimize', () => 0, 64, 3);
  for (const p of run.params) space.check(p);
  const xs = run.params.map((p) => Math.floor(Number(p['x']) * 64));
  assert.equal(new Set(xs).size, 64);
  const units = new Map<unknown, number>();
  for (const p of run.params) units.set(p['units'], (units.get(p['units']) ?? 0) + 1);
  assert.deepEqual([...units.values()], [16, 16, 16, 16]);
  const again = runSequential(new SobolSampler(), space, 'minimize', () => 0, 64, 3);
  assert.deepEqual(again.params, run.params);
  const other = runSequential(new SobolSampler(), space, 'minimize', () => 0, 8, 4);
  assert.notDeepEqual(other.params, run.params.slice(0, 8));
  const plain = runSequential(new SobolSampler({ scramble: false }), space, 'minimize', () => 0, 2, 3);
  assert.deepEqual(plain.params[0], { x: 0, units: 16, act: 'relu' });
});

test('spaces wider than the table get random extra coordinates', () => {
  const m = new Map<string, Distribution>();
  for (let i = 0; i < SOBOL_MAX_DIM + 3; i++) m.set(`x${i}`, new FloatDistribution(0, 1));
  const space = new Space(m);
  const run = runSequential(new SobolSampler(), space, 'minimize', () => 0, 5, 1);
  assert.equal(run.params.length, 5);
  for (const p of run.params) space.check(p);
  // The coordinates past the table are drawn, not stuck: each takes 5 different values over the 5 points.
  for (let i = SOBOL_MAX_DIM; i < SOBOL_MAX_DIM + 3; i++) assert.equal(new Set(run.params.map((p) => p[`x${i}`])).size, 5, `x${i}`);
});
