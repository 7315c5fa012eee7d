// Gradient check of the hand-written backward pass (fnn.ts) against TF.js autodiff on the same loss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs';
import { Rng } from '../../core/rng.js';
import { ACTIVATIONS, type Activation } from './params.js';
import { ADAM, initFnn, trainStep } from './fnn.js';

await tf.setBackend('cpu');

const FEATURES = 5, UNITS = [4, 3], CLASSES = 3, ROWS = 6;

function apply(act: Activation, z: Tensor2D): Tensor2D {
  switch (act) {
    case 'relu': return tf.relu(z);
    case 'tanh': return tf.tanh(z);
    case 'sigmoid': return tf.sigmoid(z);
    case 'elu': return tf.elu(z);
    case 'linear': return z;
  }
}

/** Mean cross-entropy of the network with dropout masks, written plainly for autodiff. */
function meanLoss(params: readonly Tensor[], x: Tensor2D, onehot: Tensor2D, masks: readonly (Tensor2D | undefined)[], act: Activation): Tensor {
  let a = x;
  const layers = params.length / 2;
  for (let l = 0; l < layers - 1; l++) {
    const h = apply(act, tf.add(tf.matMul(a, params[2 * l] as Tensor2D), params[2 * l + 1] as Tensor1D));
    const mask = masks[l];
    a = mask ? tf.mul(h, mask) : h;
  }
  const logits = tf.add(tf.matMul(a, params[2 * layers - 2] as Tensor2D), params[2 * layers - 1] as Tensor1D) as Tensor2D;
  return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1)));
}

for (const act of ACTIVATIONS) {
  for (const dropout of [false, true]) {
    test(`backward pass equals autodiff: ${act}${dropout ? ', with dropout masks' : ''}`, () => {
      tf.tidy(() => {
        const rng = new Rng(act.length * 10 + (dropout ? 1 : 0));
        const s = initFnn(tf, FEATURES, UNITS, CLASSES, rng);
        // Non-zero biases, so that their gradients and the activations' kinks are exercised.
        s.params = s.params.map((p) => (p.rank === 1 ? tf.tensor1d(Array.from({ length: p.size }, () => rng.next() - 0.5)) : p));
        const x = tf.tensor2d(Array.from({ length: ROWS * FEATURES }, () => rng.next() * 2 - 1), [ROWS, FEATURES]);
        const onehot = tf.oneHot(tf.tensor1d(Array.from({ length: ROWS }, (_, i) => i % CLASSES), 'int32'), CLASSES).toFloat() as Tensor2D;
        const masks = dropout ? UNITS.map((u) => tf.tensor2d(Array.from({ length: ROWS * u }, () => (rng.next() < 0.3 ? 0 : 1 / 0.7)), [ROWS, u])) : [];
        const reference = tf.grads((...p: Tensor[]) => meanLoss(p, x, onehot, masks, act))(s.params);
        // From zero moments, Adam's first step stores m = (1 − β1) · gradient: the hand-written gradient, exactly scaled.
        const step = trainStep(tf, s, x, onehot, masks, act, 0.001);
        step.m.forEach((m, i) => {
          const mine = m.div(1 - ADAM.beta1).dataSync();
          const want = (reference[i] as Tensor).dataSync();
          assert.equal(mine.length, want.length);
          const scale = Math.max(1e-3, ...Array.from(want, Math.abs));
          for (let k = 0; k < want.length; k++) {
            assert.ok(Math.abs((mine[k] as number) - (want[k] as number)) <= 1e-4 * scale, `parameter ${i}[${k}]: ${mine[k]} vs autodiff ${want[k]}`);
          }
        });
        // The summed loss it reports is ROWS × the mean loss.
        assert.ok(Math.abs(step.lossSum.dataSync()[0]! - ROWS * meanLoss(s.params, x, onehot, masks, act).dataSync()[0]!) < 1e-4);
      });
    });
  }
}
