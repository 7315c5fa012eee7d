import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FeatureEncoder, checkpointSteps, CURVE_FEATURES } from './features.js';
import { Space } from '../space/space.js';

const space = Space.fromSpec({
  lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
  units: { type: 'int', low: 16, high: 256 },
  act: { type: 'categorical', choices: ['relu', 'tanh'] },
  drop: { type: 'float', low: 0, high: 0.5, when: { parent: 'act', values: ['relu'] } },
});

test('params: log unit scale, one-hot, inactive indicator; descriptors with a missing flag', () => {
  const enc = new FeatureEncoder(space, ['log_rows'], 'maximize', 0.5, 0.1);
  assert.deepEqual(enc.columns.slice(0, 7), ['lr', 'units', 'act=relu', 'act=tanh', 'drop', 'drop:inactive', 'log_rows']);
  assert.equal(enc.columns.length, 8 + CURVE_FEATURES.length);
  const a = enc.encode({ lr: 1e-2, units: 16, act: 'relu', drop: 0.25 }, [], 10, { log_rows: 4 });
  assert.ok(Math.abs((a[0] as number) - 2 / 3) < 1e-12); // log10: -2 is 2/3 of the way from -4 to -1
  assert.deepEqual(a.slice(1, 8), [0, 1, 0, 0.5, 0, 4, 0]);
  const b = enc.encode({ lr: 1e-4, units: 256, act: 'tanh' }, [], 10);
  assert.deepEqual(b.slice(0, 8), [0, 1, 0, 1, 0, 1, 0, 1]);
  assert.throws(() => enc.encode({ lr: 1e-2, act: 'relu', drop: 0.1 }, [], 10), /`units` is missing/);
  assert.throws(() => enc.encode({ lr: 5, units: 16, act: 'relu', drop: 0.1 }, [], 10), /Expected `lr` to lie in the model's space/);
});

test('curve features and the residual target', () => {
  const enc = new FeatureEncoder(space, [], 'maximize', 0.5, 0.1);
  assert.deepEqual(enc.curveFeatures([], 10), [0, 0, 0, 0, 0, 0, 0]);
  const f = enc.curveFeatures([0.3, 0.5, 0.4, 0.6, 0.7], 10);
  const close = (x: number, y: number): boolean => Math.abs(x - y) < 1e-9;
  // has, t/budget, z(last), z(best), z(mean of last 3), slope over the last 3 steps / yStd, z(first)
  [1, 0.5, 2, 2, 0.6666666667, (0.7 - 0.5) / 3 / 0.1, -2].forEach((v, i) => assert.ok(close(f[i] as number, v), `feature ${i}: ${f[i]} vs ${v}`));
  // Minimising, "best" is the lowest value.
  const lo = new FeatureEncoder(space, [], 'minimize', 0.5, 0.1);
  assert.ok(close(lo.curveFeatures([0.3, 0.5, 0.4], 10)[3] as number, -2));
  const rows = enc.rows({ params: { lr: 1e-2, units: 16, act: 'tanh' }, curve: [0.3, 0.5, 0.4, 0.6, 0.7, 0.8], budget: 6, final: 0.8 }, [1, 4, 6, 8]);
  assert.deepEqual(rows.map((r) => r.step), [0, 1, 4]); // no row at or past the budget, none past the curve
  assert.ok(close(rows[0]!.y, (0.8 - 0.5) / 0.1) && close(rows[2]!.y, (0.8 - 0.6) / 0.1));
  assert.equal(rows[2]!.anchor, 0.6);
});

test('checkpoints and the JSON round trip', () => {
  assert.deepEqual(checkpointSteps(52), [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48]);
  assert.deepEqual(checkpointSteps(5), [1, 2, 3, 4]);
  const enc = new FeatureEncoder(space, ['k'], 'minimize', 1.5, 0.3);
  const back = FeatureEncoder.fromJSON(JSON.parse(JSON.stringify(enc.toJSON())));
  const p = { lr: 3e-3, units: 100, act: 'relu', drop: 0.1 };
  assert.deepEqual(back.encode(p, [1, 2], 5, { k: 2 }), enc.encode(p, [1, 2], 5, { k: 2 }));
  assert.throws(() => new FeatureEncoder(space, [], 'maximize', 0, 0), /positive spread/);
});
