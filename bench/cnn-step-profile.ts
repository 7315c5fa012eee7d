// Where one training step of Keras's mnist_cnn goes in the built-in trainer: forward and backward time of each
// layer, the loss, and Adam, on the chosen backend (default wasm), medians over the timed steps. A breakdown to
// decide what to speed up. Process CPU time by default (--wall: wall-clock time), which other processes on a shared
// machine disturb less; bench/trainer-throughput.ts --cnn-only gives the end-to-end ratio against PyTorch.
// Run: nice -n 10 npx tsx bench/cnn-step-profile.ts [--steps N] [--backend wasm|cpu] [--model SPEC] [--kernels] [--wall]
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import { loadavg } from 'node:os';
import { Rng } from '../src/core/rng.js';
import { adamUpdate } from '../src/runners/tfjs/adam.js';
import { initBackend, type BackendChoice } from '../src/runners/tfjs/backend.js';
import { lossAndCorrect } from '../src/runners/tfjs/fnn.js';
import { backwardLayer, forwardLayer, type LayerCache } from '../src/runners/tfjs/layers.js';
import { parseModel, planModel } from '../src/runners/tfjs/model-spec.js';
import { initNet, reluBelowPool, slots } from '../src/runners/tfjs/net.js';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const steps = Number(flag('--steps') ?? 6);
const spec = flag('--model') ?? 'conv32-conv64-maxpool-dropout0.25-flatten-dense128-dropout0.5';
const rows = Number(flag('--batch') ?? 128);
const { tf, backend } = await initBackend((flag('--backend') ?? 'wasm') as BackendChoice);

const layers = planModel(parseModel(spec), [28, 28, 1], 10);
const rng = new Rng(1);
let s = initNet(tf, layers, rng);
const stats = s.stats;
const at = slots(layers);
const xData = new Float32Array(rows * 784).map(() => (rng.next() < 0.8 ? 0 : rng.next()));
const labels = Int32Array.from({ length: rows }, () => Math.floor(rng.next() * 10));

const names = layers.map((l, i) => `${i} ${l.spec.kind}${'filters' in l.spec ? l.spec.filters : 'units' in l.spec ? l.spec.units : ''} ${l.inShape.join('×')}→${l.outShape.join('×')}`);
const fwd: number[][] = layers.map(() => []);
const bwd: number[][] = layers.map(() => []);
const other: Record<string, number[]> = { input: [], loss: [], adam: [], dispose: [], total: [] };

/** Process CPU time in ms (user + system): on a shared machine, less sensitive to other processes than wall time. */
const cpuMs = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const clock = argv.includes('--wall') ? (): number => performance.now() : cpuMs;

function step(record: boolean): void {
  const t0 = clock();
  let t = t0;
  const lap = (): number => {
    const now = clock();
    const d = now - t;
    t = now;
    return d;
  };
  const next = tf.tidy(() => {
    const x = tf.tensor4d(xData, [rows, 28, 28, 1]);
    const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat() as Tensor2D;
    if (record) other['input']?.push(lap());
    else lap();
    const caches: LayerCache[] = [];
    let a: Tensor = x;
    layers.forEach((l, i) => {
      const [p0, p1] = at.params[i] as [number, number];
      const [s0, s1] = at.stats[i] as [number, number];
      // Batch norm's moving statistics stay the initial ones (their update does not change the step's cost).
      const r = forwardLayer(tf, l, i, a, s.params.slice(p0, p1), stats.slice(s0, s1), { training: true, rng });
      caches.push(r.cache);
      a = r.y;
      if (record) fwd[i]?.push(lap());
      else lap();
    });
    const { logp } = lossAndCorrect(tf, a as Tensor2D, onehot);
    let g: Tensor = tf.div(tf.sub(tf.exp(logp), onehot), rows);
    if (record) other['loss']?.push(lap());
    else lap();
    const grads: Tensor[] = new Array<Tensor>(s.params.length);
    let preActivation = false;
    // As net.ts's backwardNet, each layer timed apart.
    for (let i = layers.length - 1; i >= 0; i--) {
      const [p0, p1] = at.params[i] as [number, number];
      const inputRelu = i > 0 && reluBelowPool(layers, i);
      const r = backwardLayer(tf, layers[i]!, g, caches[i]!, s.params.slice(p0, p1), i > 0, { inputRelu, preActivation });
      preActivation = inputRelu;
      r.grads.forEach((gr, k) => (grads[p0 + k] = gr));
      if (record) bwd[i]?.push(lap());
      else lap();
      if (r.dx === null) break;
      g = r.dx;
    }
    const o = adamUpdate(tf, s.params, s.m, s.v, grads, s.step, 1e-3);
    if (record) other['adam']?.push(lap());
    else lap();
    return [...o.params, ...o.m, ...o.v];
  });
  const k = s.params.length;
  s.params.forEach((p) => p.dispose());
  s.m.forEach((p) => p.dispose());
  s.v.forEach((p) => p.dispose());
  s = { params: next.slice(0, k), m: next.slice(k, 2 * k), v: next.slice(2 * k), stats: [], step: s.step + 1 };
  if (record) {
    other['dispose']?.push(lap());
    other['total']?.push(clock() - t0);
  } else lap();
}

const median = (v: readonly number[]): number => {
  const a = [...v].sort((x, y) => x - y);
  return a.length === 0 ? Number.NaN : a.length % 2 ? (a[(a.length - 1) / 2] as number) : ((a[a.length / 2 - 1] as number) + (a[a.length / 2] as number)) / 2;
};

step(false);
step(false);
for (let i = 0; i < steps; i++) step(true);
console.log(`${backend}, ${spec}, batch ${rows}, median of ${steps} steps (${argv.includes('--wall') ? 'wall' : 'CPU'} ms); load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
names.forEach((n, i) => console.log(`${n.padEnd(36)} forward ${median(fwd[i]!).toFixed(1).padStart(7)}  backward ${median(bwd[i]!).toFixed(1).padStart(7)}`));
for (const [k, v] of Object.entries(other)) console.log(`${k.padEnd(36)} ${median(v).toFixed(1).padStart(7)}`);
const total = median(other['total']!);
console.log(`≈ ${((rows / total) * 1000).toFixed(0)} images/s`);

if (argv.includes('--kernels')) {
  const prof = await tf.profile(() => step(false));
  const byName = new Map<string, { ms: number; n: number }>();
  for (const k of prof.kernels) {
    const e = byName.get(k.name) ?? { ms: 0, n: 0 };
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    e.n += 1;
    byName.set(k.name, e);
  }
  [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms).forEach(([n, e]) => console.log(`  kernel ${n.padEnd(24)} ${e.ms.toFixed(1).padStart(8)} ms  ×${e.n}`));
}
