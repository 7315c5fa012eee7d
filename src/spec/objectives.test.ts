import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpecError } from '../core/errors.js';
import { compile } from './compile.js';
import { planOfStudy, storedSpecOf } from './stored.js';

const base = {
  study: 'mo',
  space: { units: [64, 128], batch_size: [32, 64] },
  budget: { epochs: 2 },
  sampler: { type: 'random', trials: 10 },
  trainer: { type: 'tfjs', dataset: 'mnist', train_limit: 1000 },
};
const two = [{ metric: 'val_accuracy', direction: 'maximize' }, { metric: 'parameters', direction: 'minimize' }];
const specError = (re: RegExp) => (e: unknown) => e instanceof SpecError && re.test(e.message);

test('objectives: a list of metrics compiles to plan.objectives; the first is plan.objective', () => {
  const plan = compile({ ...base, objectives: two });
  assert.deepEqual(plan.objectives, two);
  assert.deepEqual(plan.objective, two[0]);
  assert.deepEqual(plan.spec.objectives, two);
  assert.equal(plan.spec.objective, undefined, 'stored as `objectives` alone, so the stored spec compiles again');
  const again = planOfStudy({ name: 'mo', spec: storedSpecOf(plan) });
  assert.deepEqual(again?.objectives, two);
});

test('one objective: `objective`, its default, or a list of one, all stored as `objective`', () => {
  assert.deepEqual(compile(base).objectives, [{ metric: 'val_accuracy', direction: 'maximize' }]);
  assert.deepEqual(compile(base).spec.objective, { metric: 'val_accuracy', direction: 'maximize' });
  const one = compile({ ...base, objectives: [{ metric: 'val_loss', direction: 'minimize' }] });
  assert.deepEqual(one.spec.objective, { metric: 'val_loss', direction: 'minimize' });
  assert.equal(one.spec.objectives, undefined);
});

test('objectives: errors name the field and the value', () => {
  assert.throws(() => compile({ ...base, objective: two[0], objectives: two }), specError(/one of `objective` .* and `objectives` .*got both/));
  assert.throws(() => compile({ ...base, objectives: [two[0], two[0]] }), specError(/`objectives\[1\]\.metric` to differ from `objectives\[0\]\.metric`, got "val_accuracy" twice/));
  assert.throws(() => compile({ ...base, objectives: [] }), specError(/objectives/));
  assert.throws(() => compile({ ...base, objectives: [{ metric: 'val_accuracy', direction: 'up' }] }), specError(/objectives\[0\]\.direction/));
  assert.throws(() => compile({ ...base, objectives: two, sampler: { type: 'tpe', trials: 10 } }), specError(/`sampler.type` to be one of nsga2, motpe, .* with 2 `objectives`, got "tpe": it optimises one objective/));
  assert.throws(() => compile({ ...base, objectives: two, sampler: { type: 'gp', trials: 10 } }), specError(/got "gp"/));
  assert.throws(() => compile({ ...base, objectives: two, scheduler: { type: 'median' } }), specError(/no `scheduler` with 2 `objectives`.*got "median"/));
  assert.throws(() => compile({ ...base, objectives: [two[0], { metric: 'flops', direction: 'minimize' }] }), specError(/`objectives\[1\]\.metric` to be one of .*parameters.* for the tfjs trainer, got "flops"/));
  // A command trainer reports any metric it likes: only the run can tell.
  assert.doesNotThrow(() => compile({ ...base, objectives: [two[0], { metric: 'flops', direction: 'minimize' }], trainer: { type: 'command', command: ['/bin/true'] } }));
});

test('nsga2 and motpe: validated, wired to their samplers; they run one objective too', async () => {
  const { createSampler } = await import('./build.js');
  const n = compile({ ...base, objectives: two, sampler: { type: 'nsga2', trials: 40, population: 10, crossover: 'sbx', mutation_prob: 0.2 } });
  assert.equal(createSampler(n).name, 'nsga2');
  assert.equal(createSampler(compile({ ...base, objectives: two, sampler: { type: 'motpe', trials: 40, startup: 5 } })).name, 'motpe');
  assert.equal(createSampler(compile({ ...base, sampler: { type: 'nsga2', trials: 40 } })).name, 'nsga2');
  assert.throws(() => compile({ ...base, sampler: { type: 'nsga2', trials: 40, population: 1 } }), specError(/sampler\.population/));
  assert.throws(() => compile({ ...base, sampler: { type: 'nsga2', trials: 40, crossover: 'blx' } }), specError(/sampler\.crossover.*"blx"/));
});
