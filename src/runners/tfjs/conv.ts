import type { Tensor4D } from '@tensorflow/tfjs';
import type { Tf } from './backend.js';

/**
 * Stride-1 2-D convolution (NHWC, filters [k, k, in, out]) with both gradients written as forward convolutions.
 *
 * Why: the WASM backend has no Conv2DBackpropFilter, and its Conv2DBackpropInput is a plain loop. Its forward
 * Conv2D runs on XNNPACK. Measured on mnist_cnn's second convolution (batch 128, 26×26×32 → 24×24×64, WASM, a
 * loaded 2-core machine): forward 0.9–1.2 s; dx by Conv2DBackpropInput 13.6 s, by the forward conv below 1.7 s;
 * dW by im2col (slices + concat) and a matMul 5.2 s, by the forward conv below 2.2–4.1 s; for the first layer
 * (28×28×1 → 32) 60 ms against 265 ms by im2col. One-off timings; bench/trainer-throughput.ts --cnn-only gives
 * the end-to-end figure against PyTorch.
 */

/** TF's 'same' padding for stride 1: total k − 1, the smaller half on top/left. */
function pads(kernel: number, padding: 'same' | 'valid'): [number, number] {
  if (padding === 'valid') return [0, 0];
  const top = Math.floor((kernel - 1) / 2);
  return [top, kernel - 1 - top];
}

/** y = conv(x, w), stride 1. */
export function convForward(tf: Tf, x: Tensor4D, w: Tensor4D, padding: 'same' | 'valid'): Tensor4D {
  return tf.conv2d(x, w, 1, padding);
}

/**
 * dW[i, j, c, o] = Σ_{n,a,b} xpad[n, i+a, j+b, c] · dy[n, a, b, o]: a valid convolution of xpad seen as a batch of
 * `in` images with `n` channels ([c, H, W, n]) by dy seen as a filter ([a, b, n, o]).
 */
export function convFilterGrad(tf: Tf, x: Tensor4D, dy: Tensor4D, kernel: number, padding: 'same' | 'valid'): Tensor4D {
  const [top, bottom] = pads(kernel, padding);
  const xp = top + bottom > 0 ? tf.pad(x, [[0, 0], [top, bottom], [top, bottom], [0, 0]]) : x;
  const out = tf.conv2d(tf.transpose(xp, [3, 1, 2, 0]) as Tensor4D, tf.transpose(dy, [1, 2, 0, 3]) as Tensor4D, 1, 'valid');
  return tf.transpose(out, [1, 2, 0, 3]);
}

/**
 * dx[n, i, j, c] = Σ_{a,b,o} dy[n, i−a+top, j−b+top, o] · w[a, b, c, o]: a valid convolution of dy, padded by
 * k − 1 − top / k − 1 − bottom, with the filter turned 180° and its in/out channels swapped.
 */
export function convInputGrad(tf: Tf, dy: Tensor4D, w: Tensor4D, padding: 'same' | 'valid'): Tensor4D {
  const k = w.shape[0];
  const [top, bottom] = pads(k, padding);
  const a = k - 1 - top;
  const b = k - 1 - bottom;
  const dyp = a + b > 0 ? tf.pad(dy, [[0, 0], [a, b], [a, b], [0, 0]]) : dy;
  return tf.conv2d(dyp, tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as Tensor4D, 1, 'valid');
}
