import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.js';
import { adamUpdate } from './adam.js';
import type { Tf } from './backend.js';
import { lossAndCorrect } from './fnn.js';
import { backwardLayer, forwardLayer, initLayer, type ForwardContext, type LayerCache } from './layers.js';
import type { PlannedLayer } from './model-spec.js';

/**
 * A network given as a layer list (model-spec.ts), trained with hand-written backpropagation and Adam, the same way
 * as fnn.ts: the input is [rows, …inShape of the first layer] (NHWC images or flat features), the last layer gives logits.
 */
export interface NetState {
  /** Trainable params of every layer, in layer order (see layers.ts for each kind's order). */
  params: Tensor[];
  m: Tensor[];
  v: Tensor[];
  /** Moving statistics of the batch-norm layers, in layer order. */
  stats: Tensor[];
  step: number;
  /** Adam steps taken by each param (fine-tuning: a frozen param takes none); absent: `step` for all. */
  steps?: number[];
}

/** What a fine-tuning step trains: layers below `frozenBelow` are frozen; each param's step size (null: frozen). */
export interface StepTuning {
  readonly frozenBelow: number;
  readonly lrs: readonly (number | null)[];
}

/** Where each layer's params and statistics sit in the flat lists. */
interface Slots {
  readonly params: readonly [number, number][];
  readonly stats: readonly [number, number][];
}

const slotCache = new WeakMap<readonly PlannedLayer[], Slots>();

/** Where each layer's params and statistics sit in the flat lists ([from, to) per layer). */
export function slots(layers: readonly PlannedLayer[]): Slots {
  let s = slotCache.get(layers);
  if (s !== undefined) return s;
  let p = 0;
  let q = 0;
  const params: [number, number][] = [];
  const stats: [number, number][] = [];
  for (const l of layers) {
    const np = l.spec.kind === 'dense' || l.spec.kind === 'conv2d' || l.spec.kind === 'batchnorm' ? 2 : 0;
    const ns = l.spec.kind === 'batchnorm' ? 2 : 0;
    params.push([p, p + np]);
    stats.push([q, q + ns]);
    p += np;
    q += ns;
  }
  s = { params, stats };
  slotCache.set(layers, s);
  return s;
}

/** Initial state: every layer's params drawn from `rng` in layer order. */
export function initNet(tf: Tf, layers: readonly PlannedLayer[], rng: Rng): NetState {
  const params: Tensor[] = [];
  const stats: Tensor[] = [];
  for (const l of layers) {
    const r = initLayer(tf, l, rng);
    params.push(...r.params);
    stats.push(...r.stats);
  }
  return { params, m: params.map((p) => tf.zerosLike(p)), v: params.map((p) => tf.zerosLike(p)), stats, step: 0 };
}

/** Frees every tensor of a state, except those in `keep` (a frozen param carried into the next state). */
export function disposeNet(s: NetState, keep?: ReadonlySet<Tensor>): void {
  for (const t of [...s.params, ...s.m, ...s.v, ...s.stats]) if (keep === undefined || !keep.has(t)) t.dispose();
}

/**
 * Replaces layer `index`'s weights (dense/conv2d [kernel, bias], batchnorm [γ, β, moving mean, moving variance]) in a
 * fresh state, e.g. with a base model's. Shapes are checked.
 */
export function setLayerWeights(
  tf: Tf,
  s: NetState,
  layers: readonly PlannedLayer[],
  index: number,
  weights: readonly { shape: readonly number[]; data: Float32Array }[],
): void {
  const at = slots(layers);
  const [p0, p1] = at.params[index] as [number, number];
  const [s0, s1] = at.stats[index] as [number, number];
  const targets: [Tensor[], number][] = [];
  for (let k = p0; k < p1; k++) targets.push([s.params, k]);
  for (let k = s0; k < s1; k++) targets.push([s.stats, k]);
  if (targets.length !== weights.length) throw new Error(`setLayerWeights: layer ${index + 1} takes ${targets.length} weight arrays, got ${weights.length}`);
  targets.forEach(([list, k], j) => {
    const w = weights[j] as { shape: readonly number[]; data: Float32Array };
    const old = list[k] as Tensor;
    if (old.shape.length !== w.shape.length || old.shape.some((d, i) => d !== w.shape[i])) {
      throw new Error(`setLayerWeights: layer ${index + 1} weight ${j + 1} has shape [${w.shape.join(', ')}], the layer needs [${old.shape.join(', ')}]`);
    }
    list[k] = tf.tensor(w.data, [...w.shape]);
    old.dispose();
  });
}

/** Reshapes flat rows into the first layer's input shape. */
export function shapeInput(tf: Tf, layers: readonly PlannedLayer[], x: Tensor2D): Tensor {
  const first = layers[0];
  if (first === undefined || first.inShape.length === 1) return x;
  return tf.reshape(x, [x.shape[0], ...first.inShape]);
}

/** Forward through every layer; returns the logits and each layer's cache and new moving statistics. */
export function forwardNet(
  tf: Tf,
  layers: readonly PlannedLayer[],
  params: readonly Tensor[],
  stats: readonly Tensor[],
  x: Tensor,
  ctx: ForwardContext,
): { logits: Tensor2D; caches: LayerCache[]; stats: Tensor[] } {
  const at = slots(layers);
  const caches: LayerCache[] = [];
  const nextStats: Tensor[] = [];
  let a = x;
  layers.forEach((l, i) => {
    const [p0, p1] = at.params[i] as [number, number];
    const [s0, s1] = at.stats[i] as [number, number];
    const own = stats.slice(s0, s1);
    const r = forwardLayer(tf, l, i, a, params.slice(p0, p1), own, ctx);
    caches.push(r.cache);
    nextStats.push(...(r.stats ?? own));
    a = r.y;
  });
  return { logits: a as Tensor2D, caches, stats: nextStats };
}

/**
 * Gradients of the mean cross-entropy of a forward pass's logits, in params order. With `stopAt` (frozen layers
 * below it) the pass ends at that layer: no gradient for the layers below (their entries stay undefined).
 */
export function backwardNet(
  tf: Tf,
  layers: readonly PlannedLayer[],
  params: readonly Tensor[],
  caches: readonly LayerCache[],
  logp: Tensor2D,
  onehot: Tensor2D,
  stopAt = 0,
): Tensor[] {
  const at = slots(layers);
  const rows = onehot.shape[0];
  // d(mean CE)/d logits = (softmax − onehot) / rows.
  let g: Tensor = tf.div(tf.sub(tf.exp(logp), onehot), rows);
  const grads: Tensor[] = new Array<Tensor>(params.length);
  let preActivation = false;
  for (let i = layers.length - 1; i >= stopAt; i--) {
    const [p0, p1] = at.params[i] as [number, number];
    const inputRelu = i > stopAt && reluBelowPool(layers, i);
    const r = backwardLayer(tf, layers[i] as PlannedLayer, g, caches[i] as LayerCache, params.slice(p0, p1), i > stopAt, { inputRelu, preActivation });
    r.grads.forEach((t, k) => (grads[p0 + k] = t));
    if (r.dx === null) break;
    g = r.dx;
    preActivation = inputRelu;
  }
  return grads;
}

/** Layer i is a max pool right after a ReLU convolution: its gradient goes through the ReLU in the same pass. */
export function reluBelowPool(layers: readonly PlannedLayer[], i: number): boolean {
  const below = layers[i - 1]?.spec;
  return layers[i]?.spec.kind === 'maxpool' && below?.kind === 'conv2d' && below.activation === 'relu';
}

/**
 * One Adam step on a batch; must run inside tf.tidy. Returns the new state tensors and the batch's summed loss and
 * correct count (as tensors: no sync with the device).
 */
export function trainNetStep(
  tf: Tf,
  layers: readonly PlannedLayer[],
  s: NetState,
  x: Tensor,
  onehot: Tensor2D,
  ctx: ForwardContext,
  lr: number,
  tuning?: StepTuning,
): { params: Tensor[]; m: Tensor[]; v: Tensor[]; stats: Tensor[]; lossSum: Tensor; correct: Tensor } {
  const frozenBelow = tuning?.frozenBelow ?? 0;
  const f = forwardNet(tf, layers, s.params, s.stats, x, frozenBelow > 0 ? { ...ctx, frozenBelow } : ctx);
  const { logp, lossSum, correct } = lossAndCorrect(tf, f.logits, onehot);
  const grads = backwardNet(tf, layers, s.params, f.caches, logp, onehot, frozenBelow);
  const { params, m, v } = adamUpdate(tf, s.params, s.m, s.v, grads, s.steps ?? s.step, tuning?.lrs ?? lr);
  return { params, m, v, stats: f.stats, lossSum, correct };
}
