import { InputError } from '../core/errors.js';
import { Rng, deriveSeed } from '../core/rng.js';
import { initBackend, resolveBackendChoice, type Tf } from '../runners/tfjs/backend.js';
import { Mixture } from './mixture.js';

/** One member: dense layers (weights row-major [in][out], biases), ReLU between them, the last layer 2 outputs (mean, raw variance). */
export interface MemberJSON {
  readonly layers: readonly { readonly w: readonly number[]; readonly b: readonly number[]; readonly inputs: number; readonly outputs: number }[];
}

/** The JSON form of an ensemble. */
export interface EnsembleJSON {
  /** Input standardisation (per column). */
  readonly xMean: readonly number[];
  readonly xStd: readonly number[];
  readonly members: readonly MemberJSON[];
}

/** Training options. */
export interface EnsembleOptions {
  /** Members (default 5). */
  readonly members?: number;
  /** Hidden layer widths (default [64, 64]). */
  readonly hidden?: readonly number[];
  /** Passes over the rows (default 30). */
  readonly epochs?: number;
  readonly batchSize?: number;
  /** Adam's learning rate (default 3e-3). */
  readonly learningRate?: number;
  /** L2 penalty on the weights (default 1e-4). */
  readonly weightDecay?: number;
  readonly seed?: number;
  /** TF.js backend (default cpu: deterministic). */
  readonly backend?: string;
}

const MIN_VARIANCE = 1e-4;
const softplus = (v: number): number => (v > 30 ? v : Math.log1p(Math.exp(v)));

/**
 * A deep ensemble (Lakshminarayanan et al. 2017) of small MLPs, each with a Gaussian head (mean and variance) trained
 * by negative log-likelihood from its own initialisation and batch order; the prediction is the equal-weight mixture.
 * Training runs in TensorFlow.js; prediction is plain JavaScript on the stored weights (the same numbers, no backend
 * to start), so a scheduler can call it at every report.
 */
export class Ensemble {
  constructor(readonly json: EnsembleJSON) {
    if (json.members.length === 0) throw new InputError('An ensemble needs at least one member');
  }

  get inputs(): number {
    return this.json.xMean.length;
  }

  /** Each member's (mean, variance) for one input vector, in the target's (standardised) scale. */
  memberOutputs(x: readonly number[]): { mean: number; variance: number }[] {
    if (x.length !== this.inputs) throw new InputError(`Expected ${this.inputs} inputs, got ${x.length}`);
    const z = x.map((v, i) => (v - (this.json.xMean[i] as number)) / (this.json.xStd[i] as number));
    return this.json.members.map((m) => {
      let h: number[] = z;
      m.layers.forEach((l, li) => {
        const out = new Array<number>(l.outputs);
        for (let o = 0; o < l.outputs; o++) {
          let s = l.b[o] as number;
          for (let i = 0; i < l.inputs; i++) s += (h[i] as number) * (l.w[i * l.outputs + o] as number);
          out[o] = li < m.layers.length - 1 ? Math.max(0, s) : s;
        }
        h = out;
      });
      return { mean: h[0] as number, variance: softplus(h[1] as number) + MIN_VARIANCE };
    });
  }

  /** The mixture for one input vector, with `scale` and `shift` applied to every member (y = shift + scale·ŷ). */
  predict(x: readonly number[], shift = 0, scale = 1): Mixture {
    return new Mixture(this.memberOutputs(x).map((c) => ({ mean: shift + scale * c.mean, variance: scale * scale * c.variance })));
  }

  /** Trains an ensemble on rows (x, y) with TF.js. Deterministic for a seed on the cpu backend. */
  static async train(xs: readonly (readonly number[])[], ys: readonly number[], options: EnsembleOptions = {}): Promise<Ensemble> {
    if (xs.length !== ys.length || xs.length < 2) throw new InputError(`Expected at least 2 training rows with one target each, got ${xs.length} rows and ${ys.length} targets`);
    const d = (xs[0] as readonly number[]).length;
    const members = options.members ?? 5;
    const hidden = options.hidden ?? [64, 64];
    const epochs = options.epochs ?? 30;
    const batch = options.batchSize ?? 128;
    const lr = options.learningRate ?? 3e-3;
    const wd = options.weightDecay ?? 1e-4;
    const seed = options.seed ?? 0;
    for (const [k, v, min] of [['members', members, 1], ['epochs', epochs, 1], ['batch_size', batch, 1]] as const) {
      if (!Number.isInteger(v) || v < min) throw new InputError(`Expected \`${k}\` to be an integer ≥ ${min}, got ${v}`);
    }
    if (hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new InputError(`Expected \`hidden\` to be integers ≥ 1, got ${hidden.join(',')}`);
    const { tf } = await initBackend(resolveBackendChoice(options.backend ?? 'cpu', {}));
    const xMean = Array.from({ length: d }, (_, j) => xs.reduce((a, r) => a + (r[j] as number), 0) / xs.length);
    const xStd = Array.from({ length: d }, (_, j) => {
      const s = Math.sqrt(xs.reduce((a, r) => a + ((r[j] as number) - (xMean[j] as number)) ** 2, 0) / xs.length);
      return s > 1e-8 ? s : 1;
    });
    const flat = new Float32Array(xs.length * d);
    xs.forEach((r, i) => r.forEach((v, j) => (flat[i * d + j] = (v - (xMean[j] as number)) / (xStd[j] as number))));
    const yFlat = Float32Array.from(ys);
    const out: MemberJSON[] = [];
    for (let m = 0; m < members; m++) out.push(await trainMember(tf, flat, yFlat, d, hidden, { epochs, batch, lr, wd, seed: deriveSeed(seed, 'member', m) }));
    return new Ensemble({ xMean, xStd, members: out });
  }
}

async function trainMember(
  tf: Tf, x: Float32Array, y: Float32Array, d: number, hidden: readonly number[],
  o: { epochs: number; batch: number; lr: number; wd: number; seed: number },
): Promise<MemberJSON> {
  const rng = new Rng(o.seed);
  const sizes = [d, ...hidden, 2];
  const vars: { w: ReturnType<Tf['variable']>; b: ReturnType<Tf['variable']> }[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l] as number;
    const fanOut = sizes[l + 1] as number;
    // He-uniform for ReLU layers, Glorot-uniform for the head; the variance output starts near softplus(0.5)·(scale).
    const limit = l + 2 < sizes.length ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut)) * 0.1;
    const w = Float32Array.from({ length: fanIn * fanOut }, () => (2 * rng.next() - 1) * limit);
    const b = new Float32Array(fanOut);
    if (l + 2 === sizes.length) b[1] = 0.5;
    vars.push({ w: tf.variable(tf.tensor2d(w, [fanIn, fanOut])), b: tf.variable(tf.tensor1d(b)) });
  }
  const optimizer = tf.train.adam(o.lr);
  const n = y.length;
  const order = Array.from({ length: n }, (_, i) => i);
  const xb = new Float32Array(o.batch * d);
  const yb = new Float32Array(o.batch);
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    rng.shuffle(order);
    for (let start = 0; start < n; start += o.batch) {
      const k = Math.min(o.batch, n - start);
      for (let i = 0; i < k; i++) {
        const r = order[start + i] as number;
        xb.set(x.subarray(r * d, r * d + d), i * d);
        yb[i] = y[r] as number;
      }
      const xt = tf.tensor2d(xb.subarray(0, k * d), [k, d]);
      const yt = tf.tensor1d(yb.subarray(0, k));
      optimizer.minimize(() => tf.tidy(() => {
        let h: ReturnType<Tf['matMul']> = xt;
        vars.forEach((v, l) => {
          h = tf.add(tf.matMul(h, v.w), v.b);
          if (l < vars.length - 1) h = tf.relu(h);
        });
        const mean = tf.squeeze(tf.slice(h, [0, 0], [k, 1]), [1]);
        const variance = tf.add(tf.softplus(tf.squeeze(tf.slice(h, [0, 1], [k, 1]), [1])), MIN_VARIANCE);
        const nll = tf.mean(tf.add(tf.log(variance), tf.div(tf.square(tf.sub(yt, mean)), variance)));
        const l2 = vars.reduce((acc: ReturnType<Tf['scalar']>, v) => tf.add(acc, tf.sum(tf.square(v.w))), tf.scalar(0));
        return tf.add(tf.mul(nll, 0.5), tf.mul(l2, o.wd)) as ReturnType<Tf['scalar']>;
      }));
      xt.dispose();
      yt.dispose();
    }
  }
  const layers = await Promise.all(vars.map(async (v, l) => ({
    w: Array.from(await v.w.data()), b: Array.from(await v.b.data()), inputs: sizes[l] as number, outputs: sizes[l + 1] as number,
  })));
  for (const v of vars) { v.w.dispose(); v.b.dispose(); }
  optimizer.dispose();
  return { layers };
}
