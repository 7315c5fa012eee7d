import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.js';
import type { Tf } from './backend.js';
import { dropoutMasks } from './dropout.js';
import { disposeFnn, forward, initFnn, trainStep, type FnnState } from './fnn.js';
import { planModel, type PlannedLayer } from './model-spec.js';
import { disposeNet, forwardNet, initNet, shapeInput, trainNetStep, type NetState } from './net.js';
import { countParameters, type FnnConfig } from './params.js';

/**
 * What the training loop (train.ts) needs of a network, whichever kind: the dense network of fnn.ts (`units`) or a
 * layer list (net.ts, `model`). Steps run inside the loop's tf.tidy and return the new state's tensors, which
 * `commit` installs (freeing the old ones).
 */
export interface TrainableModel {
  /** Trainable parameters (Keras' count: batch norm's γ and β, not its moving statistics). */
  readonly parameters: number;
  /** Rows per evaluation batch that keep each activation under ~32 MB. */
  readonly evalRows: number;
  /** One Adam step on a batch of flat rows; must run inside tf.tidy. */
  step(x: Tensor2D, onehot: Tensor2D, lr: number, rng: Rng): { next: Tensor[]; lossSum: Tensor; correct: Tensor };
  /** Installs the tensors a step returned and frees the previous state. */
  commit(next: Tensor[]): void;
  /** Copies of what evaluation reads (weights, moving statistics). */
  snapshot(): Tensor[];
  /** Logits of flat rows with the given snapshot (or the current weights when omitted), without dropout. */
  logits(x: Tensor2D, weights?: readonly Tensor[]): Tensor2D;
  dispose(): void;
}

function fnnModel(tf: Tf, features: number, classes: number, cfg: FnnConfig, rng: Rng): TrainableModel {
  let s: FnnState = initFnn(tf, features, cfg.units, classes, rng);
  const k = s.params.length;
  return {
    parameters: countParameters(features, cfg.units, classes),
    evalRows: 2048,
    step(x, onehot, lr, r) {
      const masks = dropoutMasks(tf, r, x.shape[0], cfg.units, cfg.dropout);
      const o = trainStep(tf, s, x, onehot, masks, cfg.activation, lr);
      return { next: [...o.params, ...o.m, ...o.v], lossSum: o.lossSum, correct: o.correct };
    },
    commit(next) {
      disposeFnn(s);
      s = { params: next.slice(0, k), m: next.slice(k, 2 * k), v: next.slice(2 * k), step: s.step + 1 };
    },
    snapshot: () => s.params.map((p) => tf.clone(p)),
    logits: (x, w) => forward(tf, w ?? s.params, x, cfg.activation),
    dispose: () => disposeFnn(s),
  };
}

function netModel(tf: Tf, layers: readonly PlannedLayer[], rng: Rng): TrainableModel {
  let s: NetState = initNet(tf, layers, rng);
  const k = s.params.length;
  const largest = Math.max(...layers.map((l) => l.outShape.reduce((a, b) => a * b, 1)));
  return {
    parameters: layers.reduce((a, l) => a + l.parameters, 0),
    evalRows: Math.max(16, Math.min(2048, Math.floor(2 ** 23 / largest))),
    step(x, onehot, lr, r) {
      const o = trainNetStep(tf, layers, s, shapeInput(tf, layers, x), onehot, { training: true, rng: r }, lr);
      return { next: [...o.params, ...o.m, ...o.v, ...o.stats], lossSum: o.lossSum, correct: o.correct };
    },
    commit(next) {
      disposeNet(s);
      s = { params: next.slice(0, k), m: next.slice(k, 2 * k), v: next.slice(2 * k, 3 * k), stats: next.slice(3 * k), step: s.step + 1 };
    },
    snapshot: () => [...s.params, ...s.stats].map((p) => tf.clone(p)),
    logits(x, w) {
      const params = w === undefined ? s.params : w.slice(0, k);
      const stats = w === undefined ? s.stats : w.slice(k);
      return forwardNet(tf, layers, params, stats, shapeInput(tf, layers, x), { training: false }).logits;
    },
    dispose: () => disposeNet(s),
  };
}

/**
 * Builds the network a config describes for images of `height × width` (one channel, NHWC) and `classes` classes,
 * its weights drawn from `rng`. Throws InputError when a layer list does not fit the images.
 */
export function createModel(tf: Tf, shape: { height: number; width: number; classes: number }, cfg: FnnConfig, rng: Rng): TrainableModel {
  if (cfg.model === null) return fnnModel(tf, shape.height * shape.width, shape.classes, cfg, rng);
  return netModel(tf, planModel(cfg.model, [shape.height, shape.width, 1], shape.classes), rng);
}

/** Trainable parameters of the network a config describes, without building it (throws as createModel). */
export function modelParameters(shape: { height: number; width: number; classes: number }, cfg: FnnConfig): number {
  if (cfg.model === null) return countParameters(shape.height * shape.width, cfg.units, shape.classes);
  return planModel(cfg.model, [shape.height, shape.width, 1], shape.classes).reduce((a, l) => a + l.parameters, 0);
}
