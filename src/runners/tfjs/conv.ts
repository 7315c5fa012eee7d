import type { Tensor, Tensor1D, Tensor4D } from '@tensorflow/tfjs';
import type { Tf } from './backend.js';
import { jsKernel, jsKernelsOn } from './heap.js';

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
 * `in` images with `n` channels ([c, H, W, n]) by dy seen as a filter ([a, b, n, o]). The TF.js-op form, used on
 * backends without the hand-written kernels (convParamGrads).
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
  // The padding goes to the convolution itself (XNNPACK pads on the fly): no padded copy of dy.
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [a, b], [a, b], [0, 0]];
  return tf.conv2d(dy, tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as Tensor4D, 1, a + b > 0 ? pad : 'valid');
}

/**
 * Rows of the batch per chunk of the filter gradient: about TARGET_K / (out height × out width), so that each chunk's
 * dy-as-filter panel (8 output channels wide) stays in the L2 cache across XNNPACK's row tiles.
 */
export const FILTER_GRAD_TARGET_K = 8192;

/** Rows of the batch per chunk for a layer whose output is oh × ow. */
export function filterGradChunkRows(rows: number, oh: number, ow: number): number {
  return Math.max(1, Math.min(rows, Math.round(FILTER_GRAD_TARGET_K / (oh * ow))));
}

/**
 * Both param gradients of a stride-1 convolution, from its input x [n, h, w, c] and the gradient g [n, oh, ow, o] of
 * its pre-activation output: [dW [k, k, c, o], db [o]].
 *
 * dW is the sum over chunks of the batch of convFilterGrad's convolution. One convolution over the whole batch takes
 * dy as a k×k-output "filter" of oh·ow·n × o values (4.7 M on mnist_cnn's second layer), which XNNPACK reads again for
 * every tile of output rows: 220 ms against about 100 ms for the same sum in chunks of 16 rows (process CPU time,
 * batch 128, WASM). A JS pass writes each chunk's two layouts ([c, h+pads, w+pads, r] zero-padded, and [oh, ow, r,
 * o]) straight into new tensors, where the TF.js form made four transposes and a pad. db comes from the same
 * convolutions, through an extra input plane of ones (3% more work there, against 22 ms for tf.sum's transpose and
 * reduction). A thin layer (c·k·k < THIN_FILTER_GRAD) takes thinParamGrads instead, unless `chunkRows` (which
 * overrides the chunk size: tests) is given.
 */
export function convParamGrads(
  tf: Tf,
  x: Tensor4D,
  g: Tensor4D,
  kernel: number,
  padding: 'same' | 'valid',
  chunkRows?: number,
): [Tensor4D, Tensor1D] {
  if (!jsKernelsOn(tf)) return [convFilterGrad(tf, x, g, kernel, padding), tf.sum(g, [0, 1, 2])];
  const [n, h, w, c] = x.shape;
  if (chunkRows === undefined && c * kernel * kernel < THIN_FILTER_GRAD) return thinParamGrads(tf, x, g, kernel, padding);
  const [, oh, ow, o] = g.shape;
  const [pt] = pads(kernel, padding);
  const hp = oh + kernel - 1;
  const wp = ow + kernel - 1;
  const r = chunkRows ?? filterGradChunkRows(n, oh, ow);
  const chunks: number[] = [];
  for (let start = 0; start < n; start += r) chunks.push(Math.min(r, n - start));
  const shapes: number[][] = [];
  for (const rc of chunks) shapes.push([c + 1, hp, wp, rc], [oh, ow, rc, o]);
  const outs = jsKernel(tf, [x, g], shapes, ([xv, gv], views) => {
    let n0 = 0;
    chunks.forEach((rc, k) => {
      filterGradInputLayout(xv as Float32Array, views[2 * k] as Float32Array, n0, rc, h, w, c, hp, wp, pt);
      filterGradOutputLayout(gv as Float32Array, views[2 * k + 1] as Float32Array, n0, rc, oh * ow, o);
      n0 += rc;
    });
  });
  const parts: Tensor[] = chunks.map((_, k) => tf.conv2d(outs[2 * k] as Tensor4D, outs[2 * k + 1] as Tensor4D, 1, 'valid'));
  // [c + 1, k, k, o]: the first c images give dW, the ones image gives db (the same at every one of its k × k outputs).
  const sum = parts.length === 1 ? (parts[0] as Tensor4D) : (tf.addN(parts) as Tensor4D);
  const dW = tf.transpose(tf.slice(sum, [0, 0, 0, 0], [c, kernel, kernel, o]), [1, 2, 0, 3]) as Tensor4D;
  return [dW, tf.reshape(tf.slice(sum, [c, 0, 0, 0], [1, 1, 1, o]), [o]) as Tensor1D];
}

/**
 * Rows n0..n0+rc of x [n, h, w, c] as [c + 1, hp, wp, rc]: each channel a plane, zero-padded (x at offset pt), then a
 * plane of ones (whose convolution with g sums g: the bias gradient).
 */
function filterGradInputLayout(
  xa: Float32Array,
  xs: Float32Array,
  n0: number,
  rc: number,
  h: number,
  w: number,
  c: number,
  hp: number,
  wp: number,
  pt: number,
): void {
  const hw = h * w;
  const chanStride = hp * wp * rc;
  if (hp !== h || wp !== w) xs.fill(0, 0, c * chanStride);
  xs.fill(1, c * chanStride);
  const rowStride = hw * c;
  // Pixel by pixel: the rc rows' channel vectors stay in L1 across the channel loop; each write run is rc contiguous.
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const pix = i * w + j;
      const dpix = ((i + pt) * wp + j + pt) * rc;
      for (let ch = 0; ch < c; ch++) {
        let d = ch * chanStride + dpix;
        let src = (n0 * hw + pix) * c + ch;
        for (let q = 0; q < rc; q++) {
          xs[d++] = xa[src] as number;
          src += rowStride;
        }
      }
    }
  }
}

/** Rows n0..n0+rc of g [n, pix, o] as [pix, rc, o]. */
function filterGradOutputLayout(ga: Float32Array, gs: Float32Array, n0: number, rc: number, pix: number, o: number): void {
  for (let q = 0; q < rc; q++) {
    for (let p = 0; p < pix; p++) {
      const src = ((n0 + q) * pix + p) * o;
      gs.set(ga.subarray(src, src + o), (p * rc + q) * o);
    }
  }
}

/** Below this many inputs per output (c·k·k), the filter gradient goes through im2col and one matMul (thinParamGrads). */
export const THIN_FILTER_GRAD = 32;

/**
 * convParamGrads for a thin layer (few input channels: mnist_cnn's first convolution, c·k·k = 9): [dWᵀ | db] =
 * gᵀ · [im2col(x) | 1], one matMul whose packed right-hand side is the small im2col ([n·oh·ow, c·k·k + 1]) rather than
 * dy (n·oh·ow × o). One JS pass writes gᵀ and the im2col columns.
 */
function thinParamGrads(tf: Tf, x: Tensor4D, g: Tensor4D, kernel: number, padding: 'same' | 'valid'): [Tensor4D, Tensor1D] {
  const [n, h, w, c] = x.shape;
  const [, oh, ow, o] = g.shape;
  const [pt] = pads(kernel, padding);
  const rows = n * oh * ow;
  const cols = kernel * kernel * c + 1;
  const [gt, col] = jsKernel(tf, [x, g], [[o, rows], [rows, cols]], ([xv, gv], [gtv, colv]) => {
    transposeRows(gv as Float32Array, gtv as Float32Array, rows, o);
    im2colRows(xv as Float32Array, colv as Float32Array, n, h, w, c, oh, ow, kernel, pt);
  });
  // [o, (i, j, c) | 1]
  const out = tf.matMul(gt as Tensor, col as Tensor);
  const dW = tf.transpose(tf.reshape(tf.slice(out, [0, 0], [o, cols - 1]), [o, kernel, kernel, c]), [1, 2, 3, 0]) as Tensor4D;
  return [dW, tf.reshape(tf.slice(out, [0, cols - 1], [o, 1]), [o]) as Tensor1D];
}

/** dst [o, rows] = src [rows, o]ᵀ. */
function transposeRows(src: Float32Array, dst: Float32Array, rows: number, o: number): void {
  for (let r = 0; r < rows; r++) {
    let s = r * o;
    let d = r;
    for (let ch = 0; ch < o; ch++) {
      dst[d] = src[s++] as number;
      d += rows;
    }
  }
}

/** col [(b, a, e), (i, j, ch) | 1] = x[b, a + i − pt, e + j − pt, ch] (0 outside x), the last column 1. */
function im2colRows(
  xv: Float32Array,
  col: Float32Array,
  n: number,
  h: number,
  w: number,
  c: number,
  oh: number,
  ow: number,
  k: number,
  pt: number,
): void {
  const cols = k * k * c + 1;
  let d = 0;
  for (let b = 0; b < n; b++) {
    for (let a = 0; a < oh; a++) {
      for (let e = 0; e < ow; e++) {
        for (let i = 0; i < k; i++) {
          const y = a + i - pt;
          for (let j = 0; j < k; j++) {
            const xx = e + j - pt;
            const inside = y >= 0 && y < h && xx >= 0 && xx < w;
            const base = ((b * h + y) * w + xx) * c;
            for (let ch = 0; ch < c; ch++) col[d++] = inside ? (xv[base + ch] as number) : 0;
          }
        }
        col[d++] = 1;
      }
    }
  }
  if (d !== col.length || cols * n * oh * ow !== d) throw new Error('im2colRows: size mismatch');
}
