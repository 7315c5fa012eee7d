import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Surrogate } from './surrogate.js';
import { Ensemble } from './ensemble.js';
import type { Example } from './features.js';
import { Space } from '../space/space.js';
import { Rng } from '../core/rng.js';
import { initBackend } from '../runners/tfjs/backend.js';

const space = Space.fromSpec({
  lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
  width: { type: 'float', low: 0, high: 1 },
});

/** Curves that rise towards a final value set by the params (best at lr 1e-2.5, width 0.7), at a speed set by lr. */
function examples(n: number, seed: number): Example[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const p = space.sample(rng);
    const u = Math.log10(p['lr'] as number);
    const final = 0.9 - 0.08 * (u + 2.5) ** 2 - 0.3 * ((p['width'] as number) - 0.7) ** 2;
    const tau = 1 + 2 * (-1 - u);
    const curve = Array.from({ length: 12 }, (_, t) => final - (final - 0.1) * Math.exp(-(t + 1) / tau) + 0.005 * rng.normal());
    return { params: p, curve, budget: 12, final: curve[11] as number, group: 'synthetic' };
  });
}

const opts = { members: 3, hidden: [24, 24], epochs: 40, batchSize: 128, learningRate: 5e-3, seed: 7 } as const;

test('the surrogate learns final values from params and curves, with calibrated intervals, and survives a save/load', async () => {
  const model = await Surrogate.train(space, 'maximize', examples(150, 1), { ...opts, validationShare: 0 });
  const test = examples(80, 2);
  const ev = model.evaluate(test);
  const finals = test.map((e) => e.final);
  const mean = finals.reduce((a, b) => a + b, 0) / finals.length;
  const sd = Math.sqrt(finals.reduce((a, b) => a + (b - mean) ** 2, 0) / finals.length);
  // From params alone it must beat predicting the mean; with a curve, beat "final = last value seen".
  assert.ok(ev.byCurve.none!.rmse < 0.6 * sd, `no-curve rmse ${ev.byCurve.none!.rmse} vs sd ${sd}`);
  assert.ok(ev.byCurve.early!.rmse < 0.8 * ev.byCurve.early!.rmseAnchor, `early rmse ${ev.byCurve.early!.rmse} vs anchor ${ev.byCurve.early!.rmseAnchor}`);
  assert.ok(ev.all.coverage95 > 0.8 && ev.all.coverage80 > 0.6, `coverage ${ev.all.coverage80} / ${ev.all.coverage95}`);
  // lr drives both the final value and the speed: it must matter more than width.
  const imp = new Map(ev.importance.map((i) => [i.input, i.rmseIncrease]));
  assert.ok((imp.get('lr') as number) > (imp.get('width') as number));
  const dir = mkdtempSync(join(tmpdir(), 'hz-ctl-'));
  try {
    const file = join(dir, 'm.json');
    model.save(file);
    const back = Surrogate.load(file);
    const e = test[0] as Example;
    assert.deepEqual(back.predict(e.params, e.curve.slice(0, 3), 12).components, model.predict(e.params, e.curve.slice(0, 3), 12).components);
    writeFileSync(file, '{"format":"other"}');
    assert.throws(() => Surrogate.load(file), /Expected a controller model file/);
    writeFileSync(file, 'nope');
    assert.throws(() => Surrogate.load(file), /Cannot read controller model/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('training is deterministic for a seed, and the JavaScript forward pass equals TF.js on the same weights', async () => {
  const ex = examples(30, 3);
  const small = { members: 2, hidden: [8], epochs: 2, batchSize: 64, seed: 3 };
  const a = await Surrogate.train(space, 'maximize', ex, { ...small, validationShare: 0 });
  const b = await Surrogate.train(space, 'maximize', ex, { ...small, validationShare: 0 });
  const c = await Surrogate.train(space, 'maximize', ex, { ...small, seed: 4, validationShare: 0 });
  assert.deepEqual(a.json.ensemble, b.json.ensemble);
  assert.notDeepEqual(a.json.ensemble, c.json.ensemble);
  const { tf } = await initBackend('cpu');
  const x = a.encoder.encode(ex[0]!.params, ex[0]!.curve.slice(0, 2), 12);
  const js = a.ensemble.memberOutputs(x);
  a.json.ensemble.members.forEach((m, k) => {
    const z = x.map((v, i) => (v - a.json.ensemble.xMean[i]!) / a.json.ensemble.xStd[i]!);
    let h = tf.tensor2d([z]);
    m.layers.forEach((l, li) => {
      h = tf.add(tf.matMul(h, tf.tensor2d(l.w as number[], [l.inputs, l.outputs])), tf.tensor1d(l.b as number[]));
      if (li < m.layers.length - 1) h = tf.relu(h);
    });
    const out = h.dataSync();
    assert.ok(Math.abs(out[0]! - js[k]!.mean) < 1e-5);
    assert.ok(Math.abs(Math.log1p(Math.exp(out[1]!)) + 1e-4 - js[k]!.variance) < 1e-5);
  });
  await assert.rejects(Ensemble.train([[1]], [1]), /at least 2 training rows/);
  await assert.rejects(Ensemble.train([[1], [2]], [1, 2], { members: 0 }), /`members` to be an integer ≥ 1, got 0/);
});
