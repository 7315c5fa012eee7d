import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from './compile.js';
import { planOfStudy, storedSpecOf } from './stored.js';
import { SpecError } from '../core/errors.js';

const spec = (space: Record<string, unknown>, trainer: Record<string, unknown> = { type: 'command', command: ['python3', 'train.py'] }): unknown => ({
  study: 'cond', objective: { metric: 'loss', direction: 'minimize' }, space, sampler: { type: 'random', trials: 5 }, trainer,
});

const layered = {
  num_layers: [1, 2, 3],
  units_1: { type: 'series', from: 128, to: 1024 },
  units_2: { type: 'series', from: 128, to: 1024, when: { num_layers: { min: 2 } } },
  units_3: { type: 'series', from: 128, to: 1024, when: { num_layers: { min: 3 } } },
  model: ['fnn', 'cnn'],
  filters: { type: 'categorical', choices: [16, 32], when: { model: 'cnn' } },
  pool: { type: 'categorical', choices: ['max', 'avg'], when: { model: ['cnn'] } },
};

test('spec: `when` compiles to conditions; samples and the stored spec keep them', () => {
  const plan = compile(spec(layered));
  assert.deepEqual(plan.spec.space['units_2'], { type: 'series', values: [128, 256, 512, 1024], when: { parent: 'num_layers', min: 2 } });
  assert.deepEqual(plan.spec.space['filters'], { type: 'categorical', choices: [16, 32], when: { parent: 'model', values: ['cnn'] } });
  assert.equal(plan.space.conditions.size, 4);
  assert.equal(plan.space.isActive('units_3', { num_layers: 2 }), false);
  // A stored study compiles again from its normalised form, conditions and all.
  const again = planOfStudy({ name: 'cond', spec: storedSpecOf(plan) });
  assert.deepEqual(again?.space.toJSON(), plan.space.toJSON());
});

test('spec: condition errors name the path', () => {
  const err = (space: Record<string, unknown>): string => {
    try {
      compile(spec(space));
    } catch (e) {
      assert.ok(e instanceof SpecError, String(e));
      return e.message;
    }
    return 'no error';
  };
  assert.match(err({ num_layers: [1, 2], units_3: { type: 'int', low: 8, high: 64, when: { num_layers: { min: 3 } } } }), /^`space\.units_3` depends on `num_layers`, which has no value ≥ 3$/);
  assert.match(err({ model: ['fnn'], filters: { type: 'int', low: 8, high: 64, when: { modle: 'cnn' } } }), /`space\.filters` depends on `modle`, which is not in the space/);
  assert.match(err({ model: ['fnn', 'cnn'], filters: { type: 'int', low: 8, high: 64, when: { model: 'rnn' } } }), /`space\.filters` depends on `model` being "rnn", which `model` never takes/);
  assert.match(err({ a: { type: 'int', low: 1, high: 3, when: { b: { min: 2 } } }, b: { type: 'int', low: 1, high: 3, when: { a: { min: 2 } } } }), /cycle of conditions: a → b → a/);
  assert.match(err({ model: ['fnn', 'cnn'], depth: [1, 2], f: { type: 'int', low: 1, high: 3, when: { model: 'cnn', depth: { min: 2 } } } }), /`space\.f\.when` to name one parent parameter/);
  assert.match(err({ model: ['fnn', 'cnn'], f: { type: 'int', low: 1, high: 3, when: { model: { max: 2 } } } }), /space\.f\.when\.model/);
});

test('spec: the grid of a conditional space counts valid configurations only', () => {
  const plan = compile({ ...(spec(layered) as object), sampler: { type: 'grid' } });
  // units stacks 4 + 16 + 64 = 84; model: fnn 1 + cnn 2 filters × 2 pools = 5.
  assert.equal(plan.plannedTotal, 84 * 5);
});

test('spec: the zone strategies refuse a conditional space, naming the param', () => {
  assert.throws(() => compile({ ...(spec(layered) as object), sampler: { type: 'zones-nd', trials: 10 } }), /Expected `sampler.type` grid, random, sobol, tpe, gp or auto with conditional params \(`space.units_2` has `when`\), got "zones-nd"/);
});
