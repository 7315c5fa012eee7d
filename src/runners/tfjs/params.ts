import { z } from 'zod';
import { InputError } from '../../core/errors.js';
import type { Params, ParamValue } from '../../core/types.js';
import { parseLrSchedule, type LrScheduleSpec } from '../lr-schedule.js';
import { acceptedNames, ruleOf, type ParamContract, type ParamRule } from '../param-contract.js';
import { MODEL_GRAMMAR, modelProblem, parseModel, type LayerSpec } from './model-spec.js';

/** Hidden-layer activations the FNN supports. */
export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'elu', 'linear'] as const;
/** One of the supported hidden-layer activations. */
export type Activation = (typeof ACTIVATIONS)[number];

const lrScheduleSchema = z.string().refine((v) => {
  try {
    parseLrSchedule(v);
    return true;
  } catch {
    return false;
  }
});
const positiveInt: ParamRule = { schema: z.number().int().min(1), expected: 'an integer ≥ 1', integer: true };
const dropoutRate: ParamRule = { schema: z.number().min(0).lt(1), expected: 'a number in [0, 1)' };
const nonNegativeInt: ParamRule = { schema: z.number().int().min(0), expected: 'an integer ≥ 0', integer: true };
const positiveRate: ParamRule = { schema: z.number().positive().finite(), expected: 'a number > 0' };

/**
 * Fine-tuning params, for a trainer with `base_model` (the network is the base model's, with a new head or its own):
 * `freeze` (the first N layers with weights of the base keep their weights; a frozen batch norm uses its moving
 * statistics), `head_units` (a new head: a dense layer of that many units, 0 for none, then a new output layer;
 * absent: the base's own output layer), `head_dropout` (after the head's dense layer, or before the new output layer
 * when head_units is 0), `lr_body` / `lr_head` (Adam step sizes of the base's layers and of the new head; default
 * `learning_rate`), `unfreeze_after` (epochs after which every frozen layer trains too; absent: never).
 */
export const FINETUNE_PARAMS = ['freeze', 'head_units', 'head_dropout', 'lr_body', 'lr_head', 'unfreeze_after'] as const;
const finetuneRules: Record<(typeof FINETUNE_PARAMS)[number], ParamRule> = {
  freeze: nonNegativeInt,
  head_units: nonNegativeInt,
  head_dropout: dropoutRate,
  lr_body: positiveRate,
  lr_head: positiveRate,
  unfreeze_after: nonNegativeInt,
};

/**
 * The params of the built-in trainer (src/runners/tfjs): anything else in a spec's `space` or `fixed` is refused
 * at start, so a typo (`activaton`) cannot run a study of identical trials.
 */
export const TFJS_PARAMS: ParamContract = {
  trainer: 'tfjs',
  params: {
    units: positiveInt,
    // How many of units_1, units_2, … are used (KerasTuner's idiom; in a conditional space units_k has `when:
    // { num_layers: ">= k" }`); the rest are ignored.
    num_layers: { schema: z.number().int().min(1), expected: 'an integer ≥ 1 (how many of units_1, units_2, … are used)', integer: true },
    dropout: dropoutRate,
    activation: { schema: z.enum(ACTIVATIONS), expected: `one of ${ACTIVATIONS.join(', ')}` },
    batch_size: positiveInt,
    learning_rate: { schema: z.number().positive().finite(), expected: 'a number > 0' },
    lr_schedule: { schema: lrScheduleSchema, expected: "'none', 'step:N[:F]' or 'plateau:P[:F]' (N, P integers ≥ 1, 0 < F < 1)" },
    epochs: positiveInt,
    // A layer list in one string, so that a categorical space can choose among architectures (model-spec.ts).
    model: { schema: z.string().refine((v) => modelProblem(v) === null), expected: `a layer list, ${MODEL_GRAMMAR}`, why: modelProblem },
    augment_shift: { schema: z.number().int().min(0).max(8), expected: 'an integer in [0, 8] (pixels)', integer: true },
    augment_rotate: { schema: z.number().min(0).max(45), expected: 'a number in [0, 45] (degrees)' },
    ...finetuneRules,
  },
  numbered: {
    // 0 switches a trailing layer off (architecture search).
    units: { schema: z.number().int().min(0), expected: 'an integer ≥ 0 (0: no such layer)', integer: true },
    dropout: dropoutRate,
  },
  open: false,
  checkNames(names) {
    const tune = FINETUNE_PARAMS.find((n) => names.has(n));
    if (tune !== undefined) return `Param \`${tune}\` is a fine-tuning param: it needs a base network, \`trainer.base_model: DIR\` (a TF.js Layers model)`;
    if (names.has('model')) {
      const clash = [...names].find((n) => /^(units|dropout)(_\d+)?$/.test(n) || n === 'num_layers');
      if (clash !== undefined) return `Give either \`model\` (a layer list) or \`${clash}\` (the dense network's params), not both: put dropout and layer sizes in the model string`;
      if (!names.has('batch_size')) return 'Missing param `batch_size`: the tfjs trainer needs it in `space` or `fixed`';
      return null;
    }
    const layered = [...names].some((n) => /^units_\d+$/.test(n));
    if (layered && names.has('units')) return 'Give either `units` (one hidden layer) or `units_1`, `units_2`, … (several), not both';
    if (names.has('num_layers') && !layered) return '`num_layers` chooses among `units_1`, `units_2`, …, which the space does not have';
    if (!layered && !names.has('units')) return 'Missing param `units` (or `units_1`, `units_2`, …): the tfjs trainer needs the hidden layer sizes';
    if ([...names].some((n) => /^dropout_\d+$/.test(n)) && names.has('dropout')) return 'Give either `dropout` (every layer) or `dropout_1`, `dropout_2`, … (per layer), not both';
    if (!names.has('batch_size')) return 'Missing param `batch_size`: the tfjs trainer needs it in `space` or `fixed`';
    return null;
  },
};

/**
 * The params of the built-in trainer fine-tuning a base network (`trainer.base_model`): the training params, the
 * fine-tuning params, and `activation` (the new head's); no `units`, `dropout` or `model` (the network is the base's).
 */
export const TFJS_FINETUNE_PARAMS: ParamContract = {
  trainer: 'tfjs',
  params: Object.fromEntries(Object.entries(TFJS_PARAMS.params).filter(([k]) => !['units', 'dropout', 'model', 'num_layers'].includes(k))),
  numbered: {},
  open: false,
  checkNames(names) {
    if (!names.has('batch_size')) return 'Missing param `batch_size`: the tfjs trainer needs it in `space` or `fixed`';
    return null;
  },
};

/** Fine-tuning settings of a trial (see FINETUNE_PARAMS). */
export interface FinetuneConfig {
  readonly freeze: number;
  /** Units of the new head's dense layer (0: none, only a new output layer); null: keep the base's output layer. */
  readonly headUnits: number | null;
  readonly headDropout: number;
  readonly lrBody: number;
  readonly lrHead: number;
  /** Epochs after which the frozen layers train too; null: never. */
  readonly unfreezeAfter: number | null;
}

/** A validated FNN training configuration, derived from a trial's params and budget. */
export interface FnnConfig {
  /** Units of each hidden layer, input side first. */
  readonly units: readonly number[];
  /** Dropout rate after each hidden layer (one per entry of `units`). */
  readonly dropout: readonly number[];
  readonly activation: Activation;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly lrSchedule: LrScheduleSpec;
  readonly epochs: number;
  /** A layer-list model (the `model` param), or null for the dense network of `units`/`dropout`. */
  readonly model: readonly LayerSpec[] | null;
  /** Random training-image shifts (pixels, each axis) and rotations (degrees, either way); 0: none. */
  readonly augment: { readonly shift: number; readonly rotate: number };
  /** Fine-tuning a base network (`trainer.base_model`); null otherwise. */
  readonly finetune: FinetuneConfig | null;
}

function invalid(field: string, expected: string, got: unknown): InputError {
  return new InputError(`Expected \`${field}\` to be ${expected}, got ${JSON.stringify(got)}`, { code: 'INVALID_PARAM' });
}

function num(v: ParamValue | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v;
  // Command lines and categorical choices may carry numbers as strings ("128").
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return Number.NaN;
}

function int(params: Params, field: string, min: number): number | undefined {
  const raw = params[field];
  const v = num(raw);
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < min) throw invalid(field, `an integer ≥ ${min}`, raw);
  return v;
}

/**
 * Reads FNN settings from trial params: `units` (one hidden layer) or `units_1`, `units_2`, …
 * (several; `units` then is not allowed; `num_layers`, when given, uses units_1…units_num_layers and ignores the
 * rest, with their dropout_k), `dropout` (0), `activation` ('relu'), `batch_size`
 * (required), `learning_rate` (0.001, Adam), `lr_schedule` ('none'); epochs = `budget`, else `epochs`.
 */
export function parseFnnParams(params: Params, budget: number | null, finetune = false): FnnConfig {
  const contract = finetune ? TFJS_FINETUNE_PARAMS : TFJS_PARAMS;
  for (const name of Object.keys(params)) {
    if (ruleOf(contract, name) === null) throw new InputError(`Unknown param \`${name}\`: the tfjs trainer${finetune ? ' fine-tuning a base model' : ''} accepts ${acceptedNames(contract).join(', ')}`, { code: 'INVALID_PARAM' });
  }
  if (finetune) return parseFinetuneParams(params, budget);
  const tune = FINETUNE_PARAMS.find((n) => params[n] !== undefined);
  if (tune !== undefined) throw new InputError(`Param \`${tune}\` is a fine-tuning param: it needs \`trainer.base_model\``, { code: 'INVALID_PARAM' });
  if (params['model'] !== undefined) return parseModelParams(params, budget);
  const numLayers = int(params, 'num_layers', 1);
  const used = (k: number): boolean => numLayers === undefined || k <= numLayers;
  const layered = Object.keys(params)
    .map((k) => /^units_(\d+)$/.exec(k))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .filter(used)
    .sort((a, b) => a - b);
  if (numLayers !== undefined) {
    if (layered.length === 0) throw new InputError('`num_layers` chooses among `units_1`, `units_2`, …, and none was given', { code: 'INVALID_PARAM' });
    if (layered.length < numLayers) {
      throw new InputError(`\`num_layers\` is ${numLayers} but \`units_${layered.length + 1}\` has no value: give units_1…units_${numLayers}`, { code: 'INVALID_PARAM' });
    }
  }
  let units: number[];
  if (layered.length > 0) {
    if (params['units'] !== undefined) {
      throw new InputError('Give either `units` (one hidden layer) or `units_1`, `units_2`, … (several), not both', { code: 'INVALID_PARAM' });
    }
    layered.forEach((n, i) => {
      if (n !== i + 1) throw new InputError(`Expected hidden layers \`units_1\`…\`units_${layered.length}\` without gaps, got \`units_${n}\` at position ${i + 1}`, { code: 'INVALID_PARAM' });
    });
    // A layer of 0 units means "no such layer" (architecture search may switch layers off),
    // but only at the end: units_1=0 with units_2=64 is a spec mistake.
    units = layered.map((n) => int(params, `units_${n}`, 0) as number);
    while (units.length > 0 && units[units.length - 1] === 0) units.pop();
    const zero = units.indexOf(0);
    if (zero >= 0) throw invalid(`units_${zero + 1}`, 'an integer ≥ 1 (0 only for trailing layers)', params[`units_${zero + 1}`]);
  } else {
    const u = int(params, 'units', 1);
    if (u === undefined) throw new InputError('Missing hidden layer size: give `units` or `units_1`, `units_2`, …', { code: 'INVALID_PARAM' });
    units = [u];
  }
  if (units.length === 0) throw invalid('units_1', 'an integer ≥ 1', params['units_1']);

  const rate = (field: string): number => {
    const raw = params[field];
    const v = num(raw) ?? 0;
    if (!(v >= 0 && v < 1)) throw invalid(field, 'a number in [0, 1)', raw);
    return v;
  };
  const perLayer = Object.keys(params).filter((k) => /^dropout_\d+$/.test(k) && used(Number(k.slice('dropout_'.length))));
  if (perLayer.length > 0 && params['dropout'] !== undefined) {
    throw new InputError('Give either `dropout` (every layer) or `dropout_1`, `dropout_2`, … (per layer), not both', { code: 'INVALID_PARAM' });
  }
  const declaredLayers = layered.length > 0 ? layered.length : 1;
  for (const k of perLayer) {
    if (Number(k.slice('dropout_'.length)) > declaredLayers) throw new InputError(`Expected \`${k}\` for one of the ${declaredLayers} hidden layer(s), got a layer past the last`, { code: 'INVALID_PARAM' });
  }
  const all = rate('dropout');
  const dropout = units.map((_, i) => (perLayer.length > 0 ? rate(`dropout_${i + 1}`) : all));

  const activation = params['activation'] ?? 'relu';
  if (typeof activation !== 'string' || !(ACTIVATIONS as readonly string[]).includes(activation)) {
    throw invalid('activation', `one of ${ACTIVATIONS.join(', ')}`, activation);
  }

  if (params['batch_size'] === undefined) throw new InputError('Missing required parameter `batch_size`', { code: 'INVALID_PARAM' });
  const batchSize = int(params, 'batch_size', 1) as number;

  const lrRaw = params['learning_rate'];
  const learningRate = num(lrRaw) ?? 0.001;
  if (!(Number.isFinite(learningRate) && learningRate > 0)) throw invalid('learning_rate', 'a number > 0', lrRaw);

  const lrSchedule = parseLrSchedule(params['lr_schedule'] ?? 'none');

  let epochs: number;
  if (budget !== null) {
    if (!Number.isInteger(budget) || budget < 1) throw invalid('budget', 'an integer ≥ 1 (epochs)', budget);
    epochs = budget;
  } else {
    const e = int(params, 'epochs', 1);
    if (e === undefined) throw new InputError('Missing epochs: the trial has no `budget` and no `epochs` parameter', { code: 'INVALID_PARAM' });
    epochs = e;
  }
  return { units, dropout, activation: activation as Activation, batchSize, learningRate, lrSchedule, epochs, ...common(params), model: null, finetune: null };
}

/** Reads a fine-tuning trial's settings: the training params as for the dense network, and FINETUNE_PARAMS. */
function parseFinetuneParams(params: Params, budget: number | null): FnnConfig {
  const rest = Object.fromEntries(Object.entries(params).filter(([k]) => !(FINETUNE_PARAMS as readonly string[]).includes(k)));
  const dense = parseFnnParams({ ...rest, units: 1 }, budget);
  const headUnits = params['head_units'] === undefined ? null : (int(params, 'head_units', 0) as number);
  const hdRaw = params['head_dropout'];
  const headDropout = num(hdRaw) ?? 0;
  if (!(headDropout >= 0 && headDropout < 1)) throw invalid('head_dropout', 'a number in [0, 1)', hdRaw);
  if (headUnits === null && hdRaw !== undefined) throw new InputError('Param `head_dropout` needs `head_units` (a new head; 0 for only a new output layer)', { code: 'INVALID_PARAM' });
  const rate = (field: string): number => {
    const raw = params[field];
    const v = num(raw) ?? dense.learningRate;
    if (!(Number.isFinite(v) && v > 0)) throw invalid(field, 'a number > 0', raw);
    return v;
  };
  const finetune: FinetuneConfig = {
    freeze: int(params, 'freeze', 0) ?? 0,
    headUnits,
    headDropout,
    lrBody: rate('lr_body'),
    lrHead: rate('lr_head'),
    unfreezeAfter: int(params, 'unfreeze_after', 0) ?? null,
  };
  return { ...dense, units: [], dropout: [], model: null, finetune };
}

/** Settings shared by both kinds of model: augmentation (validated here). */
function common(params: Params): { augment: FnnConfig['augment'] } {
  const shift = int(params, 'augment_shift', 0) ?? 0;
  if (shift > 8) throw invalid('augment_shift', 'an integer in [0, 8] (pixels)', params['augment_shift']);
  const rotRaw = params['augment_rotate'];
  const rotate = num(rotRaw) ?? 0;
  if (!(rotate >= 0 && rotate <= 45)) throw invalid('augment_rotate', 'a number in [0, 45] (degrees)', rotRaw);
  return { augment: { shift, rotate } };
}

/** Reads a layer-list model's settings: `model` (model-spec.ts) with the same training params as the dense network. */
function parseModelParams(params: Params, budget: number | null): FnnConfig {
  const clash = Object.keys(params).find((n) => /^(units|dropout)(_\d+)?$/.test(n) || n === 'num_layers');
  if (clash !== undefined) throw new InputError(`Give either \`model\` (a layer list) or \`${clash}\`, not both`, { code: 'INVALID_PARAM' });
  const activation = params['activation'] ?? 'relu';
  if (typeof activation !== 'string' || !(ACTIVATIONS as readonly string[]).includes(activation)) {
    throw invalid('activation', `one of ${ACTIVATIONS.join(', ')}`, activation);
  }
  const raw = params['model'];
  let model: LayerSpec[];
  try {
    const why = modelProblem(raw);
    if (why !== null) throw new Error(why);
    model = parseModel(raw as string, activation as Activation);
  } catch (e) {
    throw new InputError(`Expected \`model\` to be a layer list, ${MODEL_GRAMMAR}, got ${JSON.stringify(raw)}: ${(e as Error).message}`, { code: 'INVALID_PARAM' });
  }
  const dense = parseFnnParams({ ...Object.fromEntries(Object.entries(params).filter(([k]) => k !== 'model')), units: 1 }, budget);
  return { ...dense, units: [], dropout: [], model, finetune: null };
}

/** Trainable parameters of an FNN: weights and biases of every dense layer. */
export function countParameters(features: number, units: readonly number[], classes: number): number {
  let total = 0;
  let fanIn = features;
  for (const u of [...units, classes]) {
    total += fanIn * u + u;
    fanIn = u;
  }
  return total;
}

/**
 * Metrics the built-in trainer records for every trial (train.ts's EPOCH_METRICS at the best epoch, and the trial's
 * own): what a further objective of a multi-objective study may name.
 */
export const TFJS_TRIAL_METRICS: readonly string[] = ['val_accuracy', 'val_loss', 'accuracy', 'loss', 'epoch_seconds', 'images_per_second', 'parameters', 'train_seconds', 'best_epoch'];
