import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Space } from './space.js';
import { Rng } from '../core/rng.js';
import type { ParamSpec } from './condition.js';

/** num_layers 1..3 with units_i for i ≤ num_layers; model fnn | cnn where cnn has filters. */
const layeredSpec: Record<string, ParamSpec> = {
  num_layers: { type: 'int', low: 1, high: 3 },
  units_1: { type: 'series', values: [32, 64, 128] },
  units_2: { type: 'series', values: [32, 64, 128], when: { parent: 'num_layers', min: 2 } },
  units_3: { type: 'series', values: [32, 64, 128], when: { parent: 'num_layers', min: 3 } },
  model: { type: 'categorical', choices: ['fnn', 'cnn'] },
  filters: { type: 'categorical', choices: [16, 32], when: { parent: 'model', values: ['cnn'] } },
  kernel: { type: 'categorical', choices: [3, 5], when: { parent: 'filters', values: [32] } },
};

test('conditional space: samples have exactly their active parameters', () => {
  const s = Space.fromSpec(layeredSpec);
  const rng = new Rng(1);
  const seen = new Set<string>();
  for (let i = 0; i < 300; i++) {
    const p = s.sample(rng);
    s.check(p);
    const n = p['num_layers'] as number;
    assert.equal('units_2' in p, n >= 2);
    assert.equal('units_3' in p, n >= 3);
    assert.equal('filters' in p, p['model'] === 'cnn');
    assert.equal('kernel' in p, p['filters'] === 32);
    seen.add(Object.keys(p).sort().join(','));
  }
  // 3 depths × (fnn, cnn/16, cnn/32 with kernel) = 9 shapes.
  assert.equal(seen.size, 9);
});

test('conditional space: check rejects inactive params that are set and active ones that are missing', () => {
  const s = Space.fromSpec(layeredSpec);
  assert.throws(() => s.check({ num_layers: 1, units_1: 32, units_2: 64, model: 'fnn' }), /`units_2` = 64 is set, but it exists only when `num_layers` ≥ 2/);
  assert.throws(() => s.check({ num_layers: 2, units_1: 32, model: 'fnn' }), /`units_2` is missing/);
  assert.equal(s.contains({ num_layers: 2, units_1: 32, units_2: 64, model: 'cnn', filters: 16 }), true);
  assert.deepEqual(s.prune({ num_layers: 1, units_1: 32, units_2: 64, units_3: 32, model: 'fnn', filters: 32, kernel: 3 }), { num_layers: 1, units_1: 32, model: 'fnn' });
});

test('conditional space: the grid holds each valid configuration once', () => {
  const s = Space.fromSpec(layeredSpec);
  const g = s.grid();
  const keys = g.map((p) => JSON.stringify(p));
  assert.equal(new Set(keys).size, keys.length);
  for (const p of g) s.check(p);
  // units: 3 + 9 + 27 = 39 stacks; model: fnn 1 + cnn/16 1 + cnn/32 × 2 kernels = 4.
  assert.equal(g.length, 39 * 4);
  assert.equal(s.gridSize(), 39 * 4);
});

test('conditional space: JSON round trip keeps the conditions; unconditional JSON has no `when`', () => {
  const s = Space.fromSpec(layeredSpec);
  assert.deepEqual(Space.fromSpec(s.toJSON()).toJSON(), s.toJSON());
  assert.deepEqual(s.toJSON()['units_3'], layeredSpec['units_3']);
  assert.equal('when' in (s.toJSON()['units_1'] as object), false);
});

test('condition errors name the path', () => {
  const base: Record<string, ParamSpec> = { num_layers: { type: 'int', low: 1, high: 2 }, model: { type: 'categorical', choices: ['fnn', 'cnn'] } };
  assert.throws(() => Space.fromSpec({ ...base, units_3: { type: 'int', low: 1, high: 9, when: { parent: 'num_layers', min: 3 } } }), /`space.units_3` depends on `num_layers`, which has no value ≥ 3/);
  assert.throws(() => Space.fromSpec({ ...base, x: { type: 'int', low: 1, high: 9, when: { parent: 'depth', min: 3 } } }), /`space.x` depends on `depth`, which is not in the space/);
  assert.throws(() => Space.fromSpec({ ...base, f: { type: 'int', low: 1, high: 9, when: { parent: 'model', values: ['rnn'] } } }), /`space.f` depends on `model` being "rnn", which `model` never takes/);
  assert.throws(() => Space.fromSpec({ ...base, f: { type: 'int', low: 1, high: 9, when: { parent: 'model', min: 1 } } }), /`space.f` depends on `model` ≥ 1, but `model` is categorical/);
  assert.throws(() => Space.fromSpec({
    a: { type: 'int', low: 1, high: 3, when: { parent: 'b', min: 2 } },
    b: { type: 'int', low: 1, high: 3, when: { parent: 'a', min: 2 } },
  }), /`space.a` is in a cycle of conditions: a → b → a/);
  assert.throws(() => Space.fromSpec({ a: { type: 'int', low: 1, high: 3, when: { parent: 'a', min: 2 } } }), /`space.a` depends on itself/);
});
