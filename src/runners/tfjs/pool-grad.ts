import type { Tensor4D } from '@tensorflow/tfjs';
import type { Tf } from './backend.js';
import { jsKernel } from './heap.js';

/**
 * Gradient through a non-overlapping max pool: dy goes to the first maximum of each window, as TF does. One JS pass
 * over the WASM heap (jsKernel): WASM's MaxPoolGrad takes 1.3 s and a broadcast equal-mask 3.2 s on mnist_cnn's
 * 128×24×24×64 pool input (loaded 2-core machine).
 *
 * `reluInput`: x is a ReLU's output and the gradient wanted is that of the ReLU's input, i.e. the max-pool gradient
 * times step(x). Same values as the two steps apart: the window's maximum gets dy when it is positive, 0 when the
 * whole window is 0 (step(0) = 0, as activationGrad); one pass instead of three over x's size.
 */
export function maxPoolGrad(tf: Tf, x: Tensor4D, dy: Tensor4D, size: number, reluInput = false): Tensor4D {
  const [n, h, w, c] = x.shape;
  const [, oh, ow] = dy.shape;
  const [out] = jsKernel(tf, [x, dy], [[n, h, w, c]], ([xv, gv], [ov]) => {
    const o = ov as Float32Array;
    // Rows and columns outside every window (cropped) get no gradient; size 2 writes every element of its windows.
    if (size !== 2 || oh * 2 !== h || ow * 2 !== w) o.fill(0);
    if (size === 2) maxPool2Grad(xv as Float32Array, gv as Float32Array, o, n, h, w, c, oh, ow, reluInput);
    else maxPoolNGrad(xv as Float32Array, gv as Float32Array, o, n, h, w, c, oh, ow, size, reluInput);
  });
  return out as Tensor4D;
}

/** 2×2 windows unrolled: four candidates per channel, all four outputs written (no zero-fill pass needed). */
function maxPool2Grad(
  xv: Float32Array,
  gv: Float32Array,
  out: Float32Array,
  n: number,
  h: number,
  w: number,
  c: number,
  oh: number,
  ow: number,
  relu: boolean,
): void {
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const p00 = ((b * h + 2 * i) * w + 2 * j) * c;
        const p01 = p00 + c;
        const p10 = p00 + w * c;
        const p11 = p10 + c;
        const gBase = ((b * oh + i) * ow + j) * c;
        for (let ch = 0; ch < c; ch++) {
          let best = xv[p00 + ch] as number;
          let at = 0;
          const v1 = xv[p01 + ch] as number;
          if (v1 > best) {
            best = v1;
            at = 1;
          }
          const v2 = xv[p10 + ch] as number;
          if (v2 > best) {
            best = v2;
            at = 2;
          }
          const v3 = xv[p11 + ch] as number;
          if (v3 > best) {
            best = v3;
            at = 3;
          }
          const g = relu && !(best > 0) ? 0 : (gv[gBase + ch] as number);
          out[p00 + ch] = at === 0 ? g : 0;
          out[p01 + ch] = at === 1 ? g : 0;
          out[p10 + ch] = at === 2 ? g : 0;
          out[p11 + ch] = at === 3 ? g : 0;
        }
      }
    }
  }
}

/** Any window size; `out` must be zero. */
function maxPoolNGrad(
  xv: Float32Array,
  gv: Float32Array,
  out: Float32Array,
  n: number,
  h: number,
  w: number,
  c: number,
  oh: number,
  ow: number,
  size: number,
  relu: boolean,
): void {
  const best = new Float32Array(c);
  const at = new Int32Array(c);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        best.fill(-Infinity);
        at.fill(-1);
        for (let a = 0; a < size; a++) {
          for (let e = 0; e < size; e++) {
            const base = ((b * h + i * size + a) * w + j * size + e) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = xv[base + ch] as number;
              if (v > (best[ch] as number) || at[ch] === -1) {
                best[ch] = v;
                at[ch] = base + ch;
              }
            }
          }
        }
        const g = ((b * oh + i) * ow + j) * c;
        for (let ch = 0; ch < c; ch++) {
          if (relu && !((best[ch] as number) > 0)) continue;
          const k = at[ch] as number;
          out[k] = (out[k] as number) + (gv[g + ch] as number);
        }
      }
    }
  }
}
