import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ackley, branin, hartmann3, hartmann6, levy, rosenbrock, styblinskiTang, TEST_FUNCTIONS } from './test-functions.js';
import { Rng } from '../../src/core/rng.js';

test('each function reaches its known optimum at its minimiser', () => {
  const fns = [branin(), hartmann3(), hartmann6(), rosenbrock(3), ackley(4), levy(5), styblinskiTang(3)];
  for (const fn of fns) {
    const v = fn.f(fn.minimiser);
    assert.ok(Math.abs(v - fn.optimum) < 1e-4, `${fn.name}: f(minimiser)=${v}, optimum ${fn.optimum}`);
    assert.equal(fn.minimiser.length, fn.dim);
  }
  assert.ok(Math.abs(branin().f([-Math.PI, 12.275]) - 0.397887) < 1e-5);
  assert.ok(Math.abs(branin().f([9.42478, 2.475]) - 0.397887) < 1e-5);
  assert.ok(Math.abs(styblinskiTang(2).optimum - -78.33233) < 1e-4);
});

test('random points are never below the optimum', () => {
  const rng = new Rng(1);
  for (const make of Object.values(TEST_FUNCTIONS)) {
    const fn = make();
    for (let i = 0; i < 200; i++) {
      const p = fn.space.sample(rng);
      assert.ok(fn.evaluate(p) >= fn.optimum - 1e-6, `${fn.name} at ${JSON.stringify(p)}`);
    }
  }
});

test('evaluate reads parameters by name and rejects bad dimensions', () => {
  const fn = hartmann6();
  const p = Object.fromEntries(fn.minimiser.map((v, i) => [`x${i}`, v]));
  assert.ok(Math.abs(fn.evaluate(p) - fn.optimum) < 1e-4);
  assert.throws(() => rosenbrock(0), /dimension/);
  assert.throws(() => fn.evaluate({ ...p, x0: 'a' }), /x0/);
});
