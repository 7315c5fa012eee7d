import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.js';
import type { Tf } from './backend.js';
import { dropoutMasks } from './dropout.js';
import { disposeFnn, forward, initFnn, trainStep, type FnnState } from './fnn.js';
import { InputError } from '../../core/errors.js';
import type { LoadedModel } from './layers-model.js';
import { planModel, type LayerSpec, type PlannedLayer } from './model-spec.js';
import { disposeNet, forwardNet, initNet, setLayerWeights, shapeInput, slots, trainNetStep, type NetState, type StepTuning } from './net.js';
import { countParameters, type FinetuneConfig, type FnnConfig } from './params.js';

/**
 * What the training loop (train.ts) needs of a network, whichever kind: the dense network of fnn.ts (`units`) or a
 * layer list (net.ts, `model`). Steps run inside the loop's tf.tidy and return the new state's tensors, which
 * `commit` installs (freeing the old ones).
 */
export interface TrainableModel {
  /** Trainable parameters (Keras' count: batch norm's γ and β, not its moving statistics). */
  readonly parameters: number;
  /** The network as a layer list (the dense network too), whose params and statistics `snapshot` gives in order. */
  readonly plan: readonly PlannedLayer[];
  /** Called before each epoch (from 1): fine-tuning unfreezes layers here. */
  startEpoch?(epoch: number): void;
  /** Parameters that the current epoch does not train (frozen layers); 0 when none. */
  frozenParameters?(): number;
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
  const specs: LayerSpec[] = cfg.units.flatMap((u, i) => {
    const d = cfg.dropout[i] ?? 0;
    const dense: LayerSpec = { kind: 'dense', units: u, activation: cfg.activation };
    return d > 0 ? [dense, { kind: 'dropout', rate: d }] : [dense];
  });
  return {
    parameters: countParameters(features, cfg.units, classes),
    plan: planModel(specs, [features], classes),
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

/** Fine-tuning: which layers are the base's, how many are frozen until when, and the step sizes. */
interface Tuning {
  /** Layers below this index are frozen until `unfreezeAfter` epochs have passed. */
  readonly frozenBelow: number;
  readonly unfreezeAfter: number | null;
  /** The first layer of the new head (the base's layers come before it). */
  readonly headFrom: number;
  readonly lrBody: number;
  readonly lrHead: number;
}

function netModel(tf: Tf, layers: readonly PlannedLayer[], rng: Rng, base?: { weights: (readonly LoadedWeights[])[]; tuning: Tuning }): TrainableModel {
  let s: NetState = initNet(tf, layers, rng);
  base?.weights.forEach((w, i) => setLayerWeights(tf, s, layers, i, w));
  const k = s.params.length;
  const largest = Math.max(...layers.map((l) => l.outShape.reduce((a, b) => a * b, 1)));
  const at = slots(layers);
  const tuning = base?.tuning;
  let frozenBelow = tuning?.frozenBelow ?? 0;
  if (tuning !== undefined) s.steps = new Array<number>(k).fill(0);
  const stepTuning = (lr: number): StepTuning | undefined => {
    if (tuning === undefined) return undefined;
    // The schedule moves the head's rate; the body's moves with it.
    const body = (tuning.lrBody * lr) / tuning.lrHead;
    const lrs: (number | null)[] = new Array<number | null>(k).fill(null);
    layers.forEach((_, i) => {
      const [p0, p1] = at.params[i] as [number, number];
      for (let p = p0; p < p1; p++) lrs[p] = i < frozenBelow ? null : i >= tuning.headFrom ? lr : body;
    });
    return { frozenBelow, lrs };
  };
  return {
    parameters: layers.reduce((a, l) => a + l.parameters, 0),
    plan: layers,
    evalRows: Math.max(16, Math.min(2048, Math.floor(2 ** 23 / largest))),
    startEpoch(epoch) {
      if (tuning !== undefined) frozenBelow = tuning.unfreezeAfter !== null && epoch > tuning.unfreezeAfter ? 0 : tuning.frozenBelow;
    },
    frozenParameters: () => layers.slice(0, frozenBelow).reduce((a, l) => a + l.parameters, 0),
    step(x, onehot, lr, r) {
      const t = stepTuning(lr);
      const o = trainNetStep(tf, layers, s, shapeInput(tf, layers, x), onehot, { training: true, rng: r }, lr, t);
      return { next: [...o.params, ...o.m, ...o.v, ...o.stats], lossSum: o.lossSum, correct: o.correct };
    },
    commit(next) {
      // A frozen param (and a frozen batch norm's statistics) is the same tensor in both states.
      disposeNet(s, new Set(next));
      const lrs = tuning === undefined ? undefined : stepTuning(1)?.lrs;
      const steps = s.steps?.map((n, i) => (lrs?.[i] === null ? n : n + 1));
      s = { params: next.slice(0, k), m: next.slice(k, 2 * k), v: next.slice(2 * k, 3 * k), stats: next.slice(3 * k), step: s.step + 1 };
      if (steps !== undefined) s.steps = steps;
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

type LoadedWeights = LoadedModel['layers'][number]['weights'][number];

function weighted(spec: LayerSpec): boolean {
  return spec.kind === 'dense' || spec.kind === 'conv2d' || spec.kind === 'batchnorm';
}

/**
 * The network of a fine-tuning trial: the base model's layers (its output layer replaced by a new head when
 * `head_units` is given), the first `freeze` layers with weights frozen. Throws InputError naming what does not fit.
 */
function finetuneModel(
  tf: Tf,
  shape: { height: number; width: number; classes: number },
  ft: FinetuneConfig,
  cfg: FnnConfig,
  base: LoadedModel,
  rng: Rng,
): TrainableModel {
  const where = `base model ${base.dir}`;
  const image = [shape.height, shape.width, 1];
  const inputOk = base.input.length === 3 ? base.input.every((d, i) => d === image[i]) : base.input[0] === shape.height * shape.width;
  if (!inputOk) throw new InputError(`The ${where} takes inputs of ${base.input.join('×')}, the dataset has ${shape.height}×${shape.width}×1 images (or ${shape.height * shape.width} features)`);
  const last = base.layers[base.layers.length - 1];
  let body = base.layers;
  let keepOutput = false;
  if (ft.headUnits === null) {
    if (!base.hasOutput || last === undefined || last.spec.kind !== 'dense') {
      throw new InputError(`The ${where} ends in no output layer (a dense layer with a linear or softmax activation): give \`head_units\` for a new head (0: only a new output layer)`, { code: 'INVALID_PARAM' });
    }
    if (last.spec.units !== shape.classes) {
      throw new InputError(`The ${where}'s output layer \`${last.name}\` has ${last.spec.units} units, the dataset has ${shape.classes} classes: give \`head_units\` for a new head (0: only a new output layer)`, { code: 'INVALID_PARAM' });
    }
    body = base.layers.slice(0, -1);
    keepOutput = true;
  } else if (base.hasOutput) body = base.layers.slice(0, -1);
  const weightedBody = body.filter((l) => weighted(l.spec)).length;
  if (ft.freeze > weightedBody) {
    throw new InputError(`Expected \`freeze\` to be at most ${weightedBody} (the ${where}'s layers with weights${keepOutput ? ', its output layer not counted' : ''}), got ${ft.freeze}`, { code: 'INVALID_PARAM' });
  }
  const head: LayerSpec[] = [];
  if (ft.headUnits !== null && ft.headUnits > 0) head.push({ kind: 'dense', units: ft.headUnits, activation: cfg.activation });
  if (ft.headDropout > 0) head.push({ kind: 'dropout', rate: ft.headDropout });
  const layers = planModel([...body.map((l) => l.spec), ...head], base.input, shape.classes, 'base_model');
  // The body's layers keep their places (a base model never needs an inserted flatten: its dense layers take flat inputs).
  let frozenBelow = 0;
  let seen = 0;
  body.forEach((l, i) => {
    if (seen < ft.freeze) {
      frozenBelow = i + 1;
      if (weighted(l.spec)) seen++;
    }
  });
  const weights: (readonly LoadedWeights[])[] = body.map((l) => l.weights);
  if (keepOutput && last !== undefined) {
    // The base's own output layer sits last in the plan; the layers between are empty weight lists.
    while (weights.length < layers.length - 1) weights.push([]);
    weights.push(last.weights);
  }
  return netModel(tf, layers, rng, {
    weights,
    tuning: { frozenBelow, unfreezeAfter: ft.unfreezeAfter, headFrom: keepOutput ? layers.length - 1 : body.length, lrBody: ft.lrBody, lrHead: ft.lrHead },
  });
}

/**
 * Builds the network a config describes for images of `height × width` (one channel, NHWC) and `classes` classes,
 * its weights drawn from `rng`. Throws InputError when a layer list does not fit the images.
 */
export function createModel(tf: Tf, shape: { height: number; width: number; classes: number }, cfg: FnnConfig, rng: Rng, base?: LoadedModel): TrainableModel {
  if (cfg.finetune !== null) {
    if (base === undefined) throw new InputError('Fine-tuning params need a base model (`trainer.base_model`)', { code: 'INVALID_PARAM' });
    return finetuneModel(tf, shape, cfg.finetune, cfg, base, rng);
  }
  if (cfg.model === null) return fnnModel(tf, shape.height * shape.width, shape.classes, cfg, rng);
  return netModel(tf, planModel(cfg.model, [shape.height, shape.width, 1], shape.classes), rng);
}

/** Trainable parameters of the network a config describes, without building it (throws as createModel). */
export function modelParameters(shape: { height: number; width: number; classes: number }, cfg: FnnConfig): number {
  if (cfg.model === null) return countParameters(shape.height * shape.width, cfg.units, shape.classes);
  return planModel(cfg.model, [shape.height, shape.width, 1], shape.classes).reduce((a, l) => a + l.parameters, 0);
}
