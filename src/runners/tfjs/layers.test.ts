// Gradient checks of every layer's hand-written backward pass (layers.ts, conv.ts, through net.ts) against central
// finite differences of the loss. Each layer sits between a tanh layer (so its input gradient is checked through
// that layer's params) and the output layer. CPU backend, float32: step 1e-2 (then down to 6e-4 where a ReLU or
// max-pool kink is crossed), tolerances sized for that.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import { Rng } from '../../core/rng.js';
import { lossAndCorrect } from './fnn.js';
import { parseModel, planModel, type FeatureShape, LAYER_ACTIVATIONS } from './model-spec.js';
import { backwardNet, forwardNet, initNet, shapeInput } from './net.js';

await tf.setBackend('cpu');

const ROWS = 4;
const CLASSES = 3;

/** Checks every param's analytic gradient (up to 12 coordinates per tensor) against central differences. */
function gradientCheck(model: string, input: FeatureShape, seed: number, opts: { masks?: (shape: number[]) => Map<number, Tensor>; h?: number } = {}): void {
  tf.tidy(() => {
    const layers = planModel(parseModel(model), input, CLASSES);
    const rng = new Rng(seed);
    const s = initNet(tf, layers, rng);
    // Non-zero biases and β, γ ≠ 1, so that every term of every gradient is exercised.
    const params = s.params.map((p) => tf.add(p, tf.tensor(Array.from({ length: p.size }, () => (rng.next() - 0.5) * 0.4), p.shape)));
    const features = input.reduce((a, b) => a * b, 1);
    const x = shapeInput(tf, layers, tf.tensor2d(Array.from({ length: ROWS * features }, () => rng.next() * 2 - 1), [ROWS, features]));
    const onehot = tf.oneHot(tf.tensor1d(Array.from({ length: ROWS }, (_, i) => i % CLASSES), 'int32'), CLASSES).toFloat() as Tensor2D;
    const masks = opts.masks?.(x.shape) ?? new Map<number, Tensor>();
    const ctx = { training: true, masks, rng: new Rng(1) };
    const loss = (ps: readonly Tensor[]): number => {
      const f = forwardNet(tf, layers, ps, s.stats, x, ctx);
      return (lossAndCorrect(tf, f.logits, onehot).lossSum.dataSync()[0] as number) / ROWS;
    };
    const f = forwardNet(tf, layers, params, s.stats, x, ctx);
    const grads = backwardNet(tf, layers, params, f.caches, lossAndCorrect(tf, f.logits, onehot).logp, onehot);
    assert.equal(grads.length, params.length);
    const h = opts.h ?? 1e-2;
    params.forEach((p, i) => {
      const g = (grads[i] as Tensor).dataSync();
      assert.deepEqual((grads[i] as Tensor).shape, p.shape, `gradient ${i} shape`);
      const base = p.dataSync();
      const scale = Math.max(1e-2, ...Array.from(g, Math.abs));
      const picks = p.size <= 12 ? Array.from({ length: p.size }, (_, k) => k) : Array.from({ length: 12 }, () => Math.floor(rng.next() * p.size));
      for (const k of picks) {
        const at = (d: number): number => {
          const v = Float32Array.from(base);
          v[k] = (v[k] as number) + d;
          return loss(params.map((q, j) => (j === i ? tf.tensor(v, p.shape) : q)));
        };
        const an = g[k] as number;
        const ok = (fd: number): boolean => Math.abs(fd - an) <= 2e-2 * scale + 2e-4;
        // A step that crosses a ReLU or max-pool kink spoils the central difference: shorter steps, then, must agree.
        const fds: number[] = [];
        for (const step of [h, h / 4, h / 16]) {
          fds.push((at(step) - at(-step)) / (2 * step));
          if (ok(fds[fds.length - 1] as number)) break;
        }
        if (ok(fds[fds.length - 1] as number)) continue;
        // A unit sitting on its kink (pre-activation within ~1e-3 of 0, which happens among hundreds of ReLUs):
        // backpropagation takes relu'(0) = 0, which is one of the two one-sided derivatives there.
        const s0 = h / 16;
        const f0 = at(0);
        const left = (f0 - at(-s0)) / s0;
        const right = (at(s0) - f0) / s0;
        assert.ok(ok(left) || ok(right), `${model}: param ${i}[${k}] analytic ${an} vs finite differences ${fds.join(', ')}; one-sided ${left}, ${right}`);
      }
    });
  });
}

const IMAGE: FeatureShape = [6, 6, 2];

for (const act of LAYER_ACTIVATIONS) {
  test(`finite differences: dense ${act} (input, hidden and output layers)`, () => gradientCheck(`dense5:tanh-dense4:${act}`, [5], 10 + act.length));
}
test('finite differences: conv2d stride 1, valid and same, odd and even kernels, every activation', () => {
  gradientCheck('conv3:tanh-conv4:tanh', IMAGE, 1);
  gradientCheck('conv3:tanh-conv4:same:linear', IMAGE, 2);
  gradientCheck('conv3:tanh:same-conv2k2:same:sigmoid', IMAGE, 3);
  gradientCheck('conv2k2:tanh-conv2k4:same:elu', IMAGE, 4);
  gradientCheck('conv2k1:linear-conv3:relu', IMAGE, 5);
});
test('finite differences: max and average pooling (exact and cropped windows)', () => {
  gradientCheck('conv3:tanh:same-maxpool', IMAGE, 6);
  gradientCheck('conv3:tanh:same-avgpool', IMAGE, 7);
  gradientCheck('conv3:tanh:same-maxpool4', IMAGE, 8);
  gradientCheck('conv3:tanh:same-avgpool4', IMAGE, 9);
  gradientCheck('conv2k2:tanh-maxpool', IMAGE, 17); // 5×5: the last row and column fall outside every window
  gradientCheck('conv2k2:tanh-avgpool', IMAGE, 18);
});
test('finite differences: batch normalisation on images and on flat features', () => {
  gradientCheck('conv3:tanh:same-bn', IMAGE, 10);
  gradientCheck('dense5:tanh-bn-dense3:tanh', [4], 11);
});
test('finite differences: dropout with a fixed mask, on images and on flat features', () => {
  const rng = new Rng(99);
  const mask = (shape: number[]): Tensor => tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rng.next() < 0.3 ? 0 : 1 / 0.7)), shape);
  gradientCheck('conv3:tanh:same-dropout0.3', IMAGE, 12, { masks: (s) => new Map([[1, mask(s.slice(0, 3).concat([3]))]]) });
  gradientCheck('dense5:tanh-dropout0.3', [4], 13, { masks: () => new Map([[1, mask([ROWS, 5])]]) });
});
test('finite differences: flatten and global average pooling', () => {
  gradientCheck('conv3:tanh-flatten-dense4:tanh', IMAGE, 14);
  gradientCheck('conv3:tanh:same-gap', IMAGE, 15);
});
test('finite differences: the Keras mnist_cnn layer stack, scaled down', () => {
  gradientCheck('conv3:relu-conv4:relu-maxpool-dropout0.25-flatten-dense6:relu-dropout0.5', [8, 8, 1], 16, {
    masks: () => {
      const r = new Rng(5);
      const m = (shape: number[]): Tensor => tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (r.next() < 0.25 ? 0 : 1 / 0.75)), shape);
      return new Map([
        [3, m([ROWS, 2, 2, 4])],
        [6, m([ROWS, 6])],
      ]);
    },
  });
});
