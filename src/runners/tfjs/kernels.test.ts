// The hand-written kernels (heap.ts users: conv.ts's convParamGrads, pool-grad.ts, dropout.ts) against the TF.js-op
// forms they replace, on the CPU backend (through dataSync) and on the WASM backend (in place on the heap), with
// uneven batch chunks, both paddings and cropped pool windows. layers.test.ts checks the same paths against finite
// differences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs';
import { Rng } from '../../core/rng.js';
import { initBackend, type Tf } from './backend.js';
import { ADAM, adamUpdate } from './adam.js';
import { convFilterGrad, convInputGrad, convParamGrads, filterGradChunkRows, THIN_FILTER_GRAD } from './conv.js';
import { dropoutMasks } from './dropout.js';
import { lossAndCorrect } from './fnn.js';
import { parseModel, planModel } from './model-spec.js';
import { backwardNet, forwardNet, initNet, shapeInput } from './net.js';
import { maxPoolGrad } from './pool-grad.js';

const { tf } = await initBackend('cpu');
await initBackend('wasm');

async function on<T>(backend: 'cpu' | 'wasm', f: (tf: Tf) => T): Promise<T> {
  await tf.setBackend(backend);
  return f(tf);
}

function randoms(n: number, seed: number, zeroShare = 0): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: n }, () => (r.next() < zeroShare ? 0 : r.next() * 2 - 1));
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  const scale = Math.max(1e-3, ...Array.from(b, Math.abs));
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs((a[i] as number) - (b[i] as number)) <= tol * scale, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
}

const CASES = [
  { n: 7, h: 6, w: 5, c: 3, o: 4, k: 3, padding: 'valid' as const },
  { n: 7, h: 6, w: 5, c: 3, o: 4, k: 3, padding: 'same' as const },
  { n: 5, h: 5, w: 6, c: 2, o: 3, k: 2, padding: 'same' as const },
  { n: 4, h: 7, w: 7, c: 1, o: 5, k: 4, padding: 'valid' as const },
  { n: 6, h: 6, w: 6, c: 4, o: 3, k: 3, padding: 'same' as const },
];

for (const backend of ['cpu', 'wasm'] as const) {
  test(`${backend}: convParamGrads (chunks of 1 and 3 rows, default: chunks or im2col) equals the TF.js-op filter gradient and tf.sum`, async () => {
    for (const cs of CASES) {
      const [oh, ow] = cs.padding === 'same' ? [cs.h, cs.w] : [cs.h - cs.k + 1, cs.w - cs.k + 1];
      const xv = randoms(cs.n * cs.h * cs.w * cs.c, 1);
      const gv = randoms(cs.n * oh * ow * cs.o, 2);
      const ref = await on('cpu', (t) =>
        t.tidy(() => {
          const x = t.tensor4d(xv, [cs.n, cs.h, cs.w, cs.c]);
          const g = t.tensor4d(gv, [cs.n, oh, ow, cs.o]);
          return [convFilterGrad(t, x, g, cs.k, cs.padding).dataSync(), t.sum(g, [0, 1, 2]).dataSync()];
        }),
      );
      for (const rows of [1, 3, undefined]) {
        const got = await on(backend, (t) =>
          t.tidy(() => {
            const [dW, db] = convParamGrads(t, t.tensor4d(xv, [cs.n, cs.h, cs.w, cs.c]), t.tensor4d(gv, [cs.n, oh, ow, cs.o]), cs.k, cs.padding, rows);
            assert.deepEqual(dW.shape, [cs.k, cs.k, cs.c, cs.o]);
            return [dW.dataSync(), db.dataSync()];
          }),
        );
        const what = `${JSON.stringify(cs)} rows ${rows ?? 'default'}`;
        close(got[0] as Float32Array, ref[0] as Float32Array, 1e-5, `${what} dW`);
        close(got[1] as Float32Array, ref[1] as Float32Array, 1e-5, `${what} db`);
      }
    }
  });

  test(`${backend}: max-pool gradient through a ReLU in one pass equals the pool gradient times step(x)`, async () => {
    let zeroWindows = 0;
    for (const [h, w, size] of [
      [6, 6, 2],
      [5, 7, 2],
      [6, 9, 3],
    ] as const) {
      const shape = [3, h, w, 4] as [number, number, number, number];
      const [oh, ow] = [Math.floor(h / size), Math.floor(w / size)];
      // Half zeros (a ReLU's output): whole windows of zeros occur, where the first position wins but gets nothing.
      const xv = randoms(3 * h * w * 4, 3, 0.5).map(Math.abs);
      // No ties here, for the comparison with TF's MaxPoolGrad.
      const distinct = randoms(3 * h * w * 4, 5);
      const gv = randoms(3 * oh * ow * 4, 4);
      const run = (t: Tf): Float32Array[] =>
        t.tidy(() => {
          const x = t.tensor4d(xv, shape);
          const g = t.tensor4d(gv, [3, oh, ow, 4]);
          const plain = maxPoolGrad(t, x, g, size);
          // TF's own MaxPoolGrad (through autodiff) for the plain gradient.
          const out = [plain, maxPoolGrad(t, t.tensor4d(distinct, shape), g, size), t.mul(plain, t.step(x)), maxPoolGrad(t, x, g, size, true)];
          return out.map((o) => o.dataSync() as Float32Array);
        });
      const [plain, ours, composed, fused] = (await on(backend, run)) as [Float32Array, Float32Array, Float32Array, Float32Array];
      // TF's own MaxPoolGrad through autodiff, on the CPU backend (WASM's picks another position among equal values).
      const viaTf = await on('cpu', (t) =>
        t.tidy(() => {
          const g = t.tensor4d(gv, [3, oh, ow, 4]);
          return t.grad((v: Tensor) => t.sum(t.mul(t.maxPool(v as Tensor4D, size, size, 'valid'), g)))(t.tensor4d(distinct, shape)).dataSync() as Float32Array;
        }),
      );
      close(ours, viaTf, 0, `${h}×${w} pool ${size} against tf.grad`);
      close(fused, composed, 0, `${h}×${w} pool ${size} fused`);
      zeroWindows += fused.filter((v, i) => v === 0 && plain[i] !== 0).length;
    }
    assert.ok(zeroWindows > 0, 'some windows of zeros, whose first position gets no gradient through the ReLU');
  });
}

test('wasm: dropout masks equal the CPU backend’s bit for bit', async () => {
  const cpu = await on('cpu', (t) => dropoutMasks(t, new Rng(7), 9, [13, 5], [0.25, 0.5]).map((m) => Array.from(m?.dataSync() ?? [])));
  const wasm = await on('wasm', (t) => dropoutMasks(t, new Rng(7), 9, [13, 5], [0.25, 0.5]).map((m) => Array.from(m?.dataSync() ?? [])));
  assert.deepEqual(wasm, cpu);
});

test('the dx convolution, its padding inside the convolution, equals TF autodiff on CPU (both backends)', async () => {
  const xv = randoms(2 * 5 * 6 * 3, 5);
  const wv = randoms(3 * 3 * 3 * 4, 6);
  for (const padding of ['valid', 'same'] as const) {
    const [oh, ow] = padding === 'same' ? [5, 6] : [3, 4];
    const gv = randoms(2 * oh * ow * 4, 7);
    const ref = await on('cpu', (t) =>
      t.tidy(() => {
        const [w, g] = [t.tensor4d(wv, [3, 3, 3, 4]), t.tensor4d(gv, [2, oh, ow, 4])];
        return t.grad((v: Tensor) => t.sum(t.mul(t.conv2d(v as Tensor4D, w, 1, padding), g)))(t.tensor4d(xv, [2, 5, 6, 3])).dataSync() as Float32Array;
      }),
    );
    for (const backend of ['cpu', 'wasm'] as const) {
      const dx = (t: Tf): Float32Array =>
        t.tidy(() => convInputGrad(t, t.tensor4d(gv, [2, oh, ow, 4]), t.tensor4d(wv, [3, 3, 3, 4]), padding).dataSync() as Float32Array);
      const got = await on(backend, dx);
      close(got, ref, 1e-5, `${backend} dx ${padding}`);
    }
  }
});

test('wasm: one backward pass of a scaled-down mnist_cnn equals the CPU backend’s (both use the same kernels)', async () => {
  const layers = planModel(parseModel('conv3:relu-conv4:relu-maxpool-dropout0.25-flatten-dense6:relu-dropout0.5'), [8, 8, 1], 3);
  const rows = 20;
  const xv = randoms(rows * 64, 8);
  const labels = Int32Array.from({ length: rows }, (_, i) => i % 3);
  const run = (t: Tf): Float32Array[] =>
    t.tidy(() => {
      const s = initNet(t, layers, new Rng(3));
      const x = shapeInput(t, layers, t.tensor2d(xv, [rows, 64]));
      const onehot = t.oneHot(t.tensor1d(labels, 'int32'), 3).toFloat() as Tensor2D;
      const f = forwardNet(t, layers, s.params, s.stats, x, { training: true, rng: new Rng(4) });
      const grads = backwardNet(t, layers, s.params, f.caches, lossAndCorrect(t, f.logits, onehot).logp, onehot);
      return grads.map((g: Tensor) => g.dataSync() as Float32Array);
    });
  const cpu = await on('cpu', run);
  const wasm = await on('wasm', run);
  assert.equal(wasm.length, cpu.length);
  wasm.forEach((g, i) => close(g, cpu[i] as Float32Array, 1e-4, `gradient ${i}`));
});

test('the default path: im2col below THIN_FILTER_GRAD inputs per output, chunks above; both cases are among CASES', () => {
  const thin = CASES.filter((cs) => cs.c * cs.k * cs.k < THIN_FILTER_GRAD).length;
  assert.ok(thin > 0 && thin < CASES.length);
});

for (const backend of ['cpu', 'wasm'] as const) {
  test(`${backend}: Adam's step equals the textbook formula (bias-corrected moments, ε outside the root)`, async () => {
    const size = 1000;
    const [p, m, g] = [randoms(size, 11), randoms(size, 12), randoms(size, 13)];
    const v = randoms(size, 14).map((x) => x * x);
    const step = 4; // the 5th step
    const lr = 3e-3;
    const got = await on(backend, (t) =>
      t.tidy(() => {
        const o = adamUpdate(t, [t.tensor(p)], [t.tensor(m)], [t.tensor(v)], [t.tensor(g)], step, lr);
        return [o.params, o.m, o.v].map((l) => (l[0] as Tensor).dataSync() as Float32Array);
      }),
    );
    const { beta1, beta2, epsilon } = ADAM;
    const n = step + 1;
    const mNew = Array.from(m, (x, k) => beta1 * x + (1 - beta1) * (g[k] as number));
    const vNew = Array.from(v, (x, k) => beta2 * x + (1 - beta2) * (g[k] as number) ** 2);
    const pNew = Array.from(p, (x, k) => x - (lr * ((mNew[k] as number) / (1 - beta1 ** n))) / (Math.sqrt((vNew[k] as number) / (1 - beta2 ** n)) + epsilon));
    close(got[0] as Float32Array, pNew, 1e-6, 'params');
    close(got[1] as Float32Array, mNew, 1e-6, 'm');
    close(got[2] as Float32Array, vNew, 1e-6, 'v');
  });
}

test('filter-gradient chunks: about 8192 / (out height × out width) rows, at least 1, at most the batch', () => {
  assert.equal(filterGradChunkRows(128, 24, 24), 14);
  assert.equal(filterGradChunkRows(128, 26, 26), 12);
  assert.equal(filterGradChunkRows(4, 6, 6), 4);
  assert.equal(filterGradChunkRows(128, 200, 200), 1);
});
