import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs';
import { Rng } from '../../core/rng.js';
import { adamUpdate } from './adam.js';
import { dropoutMasks } from './dropout.js';
import { activationGrad } from './layers.js';
import type { Tf } from './backend.js';
import type { Activation } from './params.js';

/**
 * A fully connected classifier with hand-written backpropagation and Adam.
 *
 * Why not tf.layers + model.fit: TF.js autodiff computes dW = xᵀ·dy as matMul(transposeA) and
 * dx = dy·Wᵀ as matMul(transposeB), which the WASM backend runs on a slow generic path (measured
 * 66 ms vs 4 ms per 128×784×512 product). Explicit transposes keep every product on XNNPACK's
 * fast path; model.fit's per-batch callbacks and log syncs go away too.
 */
export interface FnnState {
  /** [W1, b1, W2, b2, …, Wout, bout]. */
  params: Tensor[];
  m: Tensor[];
  v: Tensor[];
  step: number;
}

export { ADAM } from './adam.js';
export { dropoutMasks };

/** Glorot-uniform weights and zero biases (Keras' Dense defaults), drawn from `rng` for repeatability. */
export function initFnn(tf: Tf, features: number, units: readonly number[], classes: number, rng: Rng): FnnState {
  const params: Tensor[] = [];
  let fanIn = features;
  for (const u of [...units, classes]) {
    const limit = Math.sqrt(6 / (fanIn + u));
    const w = new Float32Array(fanIn * u);
    for (let i = 0; i < w.length; i++) w[i] = (rng.next() * 2 - 1) * limit;
    params.push(tf.tensor2d(w, [fanIn, u]), tf.zeros([u]));
    fanIn = u;
  }
  return { params, m: params.map((p) => tf.zerosLike(p)), v: params.map((p) => tf.zerosLike(p)), step: 0 };
}

/** Frees every tensor of a state. */
export function disposeFnn(s: FnnState): void {
  for (const t of [...s.params, ...s.m, ...s.v]) t.dispose();
}

function activate(tf: Tf, x: Tensor2D, w: Tensor2D, b: Tensor1D, act: Activation): Tensor2D {
  if (act === 'tanh') return tf.tanh(tf.add(tf.matMul(x, w), b)) as Tensor2D;
  return tf.fused.matMul({ a: x, b: w, bias: b, activation: act }) as Tensor2D;
}

/** Logits of a batch, without dropout (evaluation). */
export function forward(tf: Tf, params: readonly Tensor[], x: Tensor2D, act: Activation): Tensor2D {
  let a = x;
  const layers = params.length / 2;
  for (let l = 0; l < layers - 1; l++) a = activate(tf, a, params[2 * l] as Tensor2D, params[2 * l + 1] as Tensor1D, act);
  return tf.add(tf.matMul(a, params[2 * layers - 2] as Tensor2D), params[2 * layers - 1] as Tensor1D) as Tensor2D;
}

/** Summed cross-entropy and number of correct predictions of logits against one-hot labels. */
export function lossAndCorrect(tf: Tf, logits: Tensor2D, onehot: Tensor2D): { logp: Tensor2D; lossSum: Tensor; correct: Tensor } {
  const logp = tf.sub(logits, tf.logSumExp(logits, 1, true)) as Tensor2D;
  const lossSum = tf.neg(tf.sum(tf.mul(onehot, logp)));
  const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(onehot, 1)), 'float32'));
  return { logp, lossSum, correct };
}

/**
 * One Adam step on a batch; must run inside tf.tidy. Returns the new state tensors and the
 * batch's summed loss and correct count (as tensors: no sync with the device).
 */
export function trainStep(
  tf: Tf,
  s: FnnState,
  x: Tensor2D,
  onehot: Tensor2D,
  masks: readonly (Tensor2D | undefined)[],
  act: Activation,
  lr: number,
): { params: Tensor[]; m: Tensor[]; v: Tensor[]; lossSum: Tensor; correct: Tensor } {
  const layers = s.params.length / 2;
  const rows = x.shape[0];
  // Forward, keeping each layer's input.
  const inputs: Tensor2D[] = [x];
  const outs: Tensor2D[] = [];
  let a = x;
  for (let l = 0; l < layers - 1; l++) {
    const h = activate(tf, a, s.params[2 * l] as Tensor2D, s.params[2 * l + 1] as Tensor1D, act);
    outs.push(h);
    const mask = masks[l];
    a = mask === undefined ? h : tf.mul(h, mask);
    inputs.push(a);
  }
  const logits = tf.add(tf.matMul(a, s.params[2 * layers - 2] as Tensor2D), s.params[2 * layers - 1] as Tensor1D) as Tensor2D;
  const { logp, lossSum, correct } = lossAndCorrect(tf, logits, onehot);
  // Backward: d(mean CE)/d logits = (softmax − onehot) / rows.
  let g: Tensor2D = tf.div(tf.sub(tf.exp(logp), onehot), rows);
  const grads: Tensor[] = new Array<Tensor>(s.params.length);
  for (let l = layers - 1; l >= 0; l--) {
    const input = inputs[l] as Tensor2D;
    grads[2 * l] = tf.matMul(tf.transpose(input), g);
    grads[2 * l + 1] = tf.sum(g, 0);
    if (l > 0) {
      g = tf.matMul(g, tf.transpose(s.params[2 * l] as Tensor2D));
      const mask = masks[l - 1];
      if (mask !== undefined) g = tf.mul(g, mask);
      g = activationGrad(tf, g, outs[l - 1] as Tensor2D, act) as Tensor2D;
    }
  }
  const { params, m, v } = adamUpdate(tf, s.params, s.m, s.v, grads, s.step, lr);
  return { params, m, v, lossSum, correct };
}
