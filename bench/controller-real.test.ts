import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  anytimeBest, compare, evaluationSeed, leakageProblem, modelFileFor, parseArgs, planFor, returnedScores, runCost, sourceStudyFor, tables, type Run,
} from './controller-real.js';

test('each target is warm-started only from the other dataset\'s source study', () => {
  assert.equal(sourceStudyFor('mnist'), 'real-src-fashion');
  assert.equal(sourceStudyFor('fashion-mnist'), 'real-src-mnist');
  assert.equal(modelFileFor('d', 'mnist'), 'd/from-fashion.json');
  assert.equal(modelFileFor('d', 'fashion-mnist'), 'd/from-mnist.json');
  assert.equal(leakageProblem(['real-src-fashion'], 'mnist'), null);
  assert.equal(leakageProblem(['real-src-mnist'], 'fashion-mnist'), null);
  assert.match(leakageProblem(['real-src-mnist'], 'mnist') ?? '', /leakage/);
  assert.match(leakageProblem(['real-src-fashion', 'real-src-mnist'], 'mnist') ?? '', /leakage/);
  assert.match(leakageProblem(['other'], 'mnist') ?? '', /expected only real-src-fashion/);
  assert.match(leakageProblem([], 'fashion-mnist') ?? '', /nothing/);
});

test('evaluation seeds depend on dataset, configuration and repeat, not on key order', () => {
  const p = { units: 64, batch_size: 32 };
  assert.equal(evaluationSeed('mnist', p, 0), evaluationSeed('mnist', { batch_size: 32, units: 64 }, 0));
  assert.notEqual(evaluationSeed('mnist', p, 0), evaluationSeed('mnist', p, 1));
  assert.notEqual(evaluationSeed('mnist', p, 0), evaluationSeed('fashion-mnist', p, 0));
  assert.notEqual(evaluationSeed('mnist', p, 0), evaluationSeed('mnist', { units: 128, batch_size: 32 }, 0));
});

test('anytime best reads only the first b values and skips failures', () => {
  assert.equal(anytimeBest([0.5, NaN, 0.7, 0.9], 3), 0.7);
  assert.equal(anytimeBest([0.5, NaN, 0.7, 0.9], 4), 0.9);
  assert.ok(Number.isNaN(anytimeBest([NaN], 1)));
});

const run = (row: Run['row'], seed: number, values: number[], returned: number | null = null): Run => ({
  target: 'mnist', row, seed, params: values.map((_, i) => ({ i: i % 3 })), values, tests: values.map((v) => v - 0.01),
  cached: values.map(() => false), returned: returned === null ? null : { i: returned }, seconds: 1,
});

test('the returned configuration is scored by the mean of its evaluations in the run', () => {
  // params cycle i = 0, 1, 2, 0: configuration 0 was evaluated at positions 0 and 3.
  const r = returnedScores(run('auto', 1, [0.8, 0.9, 0.7, 0.6], 0));
  assert.equal(r.n, 2);
  assert.ok(Math.abs(r.val - 0.7) < 1e-12);
  assert.ok(Math.abs(r.test - 0.69) < 1e-12);
  assert.equal(returnedScores(run('auto', 1, [0.8], null)).n, 0);
});

test('a run costs its evaluations as first trained, a repeat at its own (k-th) cost', () => {
  const a = { units: 1 }, b = { units: 2 };
  const cache = { '{"units":1}#0': { seconds: 3 }, '{"units":1}#1': { seconds: 5 }, '{"units":2}#0': { seconds: 7 } };
  assert.equal(runCost({ params: [a, b, a] }, cache), 15);
  assert.ok(Number.isNaN(runCost({ params: [a, a, a] }, cache)));
});

test('compare pairs by seed, measures regret from the best of all runs, and counts a lower regret as a controller win', () => {
  const runs = [
    run('controller', 1, [0.9, 0.95]), run('auto', 1, [0.8, 0.96]),
    run('controller', 2, [0.7, 0.7]), run('auto', 2, [0.75, 0.75]),
    run('controller', 3, [0.5, 0.5]), // no auto run for seed 3: not paired
  ];
  const c = compare(runs, 'mnist', [1, 2]);
  assert.deepEqual(c.seeds, [1, 2]);
  assert.equal(c.best, 0.96);
  const [b1, b2] = c.cells;
  assert.deepEqual(b1?.controller, [0.9, 0.7]);
  assert.deepEqual(b1?.auto, [0.8, 0.75]);
  assert.equal(b1?.sign.less, 1); // seed 1: controller better at 1 trial
  assert.equal(b1?.sign.greater, 1); // seed 2: auto better
  assert.equal(b2?.sign.less, 0);
  assert.equal(b2?.sign.greater, 2);
  assert.ok(Math.abs((b2?.regretC[0] ?? NaN) - 0.01) < 1e-12);
  const text = tables(runs, [1, 2]).join('\n');
  assert.match(text, /fashion → mnist: 2 paired seeds \(1, 2\)/);
  assert.match(text, /\| 2 \| 82\.50 \(70\.00–95\.00\)/);
});

test('both source specs define the same space, fixed params, epochs and data scale, on their own dataset', () => {
  const m = planFor('mnist'), f = planFor('fashion-mnist');
  assert.deepEqual(m.space.names, f.space.names);
  for (const n of m.space.names) assert.deepEqual(m.space.get(n).toJSON(), f.space.get(n).toJSON());
  assert.deepEqual(m.fixed, f.fixed);
  assert.equal(m.budget, 3);
  assert.equal(f.budget, 3);
  const tm = m.trainer as { dataset: string; train_limit?: number }, tf = f.trainer as { dataset: string; train_limit?: number };
  assert.equal(tm.dataset, 'mnist');
  assert.equal(tf.dataset, 'fashion-mnist');
  assert.equal(tm.train_limit, 12000);
  assert.equal(tf.train_limit, 12000);
  assert.equal(m.maxTrials, 40);
  assert.notEqual(m.seed, f.seed);
});

test('arguments', () => {
  const a = parseArgs(['--reps', '5', '--budgets', '20,5', '--targets', 'mnist']);
  assert.equal(a.reps, 5);
  assert.deepEqual(a.budgets, [5, 20]);
  assert.deepEqual(a.targets, ['mnist']);
  assert.throws(() => parseArgs(['--budgets', '30']), /budgets/);
  assert.throws(() => parseArgs(['--targets', 'cifar']), /Unknown target/);
  assert.throws(() => parseArgs(['--reps', '0']), /reps/);
});
