import type { Tensor } from '@tensorflow/tfjs';
import type { Tf } from './backend.js';

/** Adam hyper-parameters (Keras/PyTorch defaults except epsilon, which is Keras' 1e-7). */
export const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;

/**
 * One Adam step (`step` counts from 0) over parallel lists of params, moments and gradients; must run inside
 * tf.tidy. Bias correction is folded into the step size, as Keras and PyTorch do.
 */
export function adamUpdate(
  tf: Tf,
  params: readonly Tensor[],
  m: readonly Tensor[],
  v: readonly Tensor[],
  grads: readonly Tensor[],
  step: number,
  lr: number,
): { params: Tensor[]; m: Tensor[]; v: Tensor[] } {
  const t = step + 1;
  const { beta1, beta2, epsilon } = ADAM;
  const c2 = Math.sqrt(1 - beta2 ** t);
  const lrT = (lr * c2) / (1 - beta1 ** t);
  const epsT = epsilon * c2;
  const out = { params: [] as Tensor[], m: [] as Tensor[], v: [] as Tensor[] };
  params.forEach((p, i) => {
    const gi = grads[i] as Tensor;
    const mi = tf.add(tf.mul(m[i] as Tensor, beta1), tf.mul(gi, 1 - beta1));
    const vi = tf.add(tf.mul(v[i] as Tensor, beta2), tf.mul(tf.square(gi), 1 - beta2));
    out.params.push(tf.sub(p, tf.div(tf.mul(mi, lrT), tf.add(tf.sqrt(vi), epsT))));
    out.m.push(mi);
    out.v.push(vi);
  });
  return out;
}
