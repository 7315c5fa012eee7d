import { z } from 'zod';
import { STUDY_NAME_PATTERN, STUDY_NAME_RULE } from '../core/names.js';
import { commandParamsSchema } from '../runners/command/params.js';

/** The zod schema of a study spec file, section by section; cross-field rules live in compile.ts. */

const finite = z.number().refine(Number.isFinite, 'Expected a finite number');
/** A param value: what `fixed` holds and a list or categorical offers. */
export const paramValue = z.union([finite, z.string(), z.boolean()]);

/**
 * When a parameter exists: `{ parent: value }`, `{ parent: [values] }` or `{ parent: { min: n } }` (one parent).
 * The compiled form `{ parent: name, values: [...] }` / `{ parent: name, min: n }` (stored specs) is read too.
 */
export const whenSpec = z.record(z.string(), z.union([paramValue, z.array(paramValue).min(1), z.strictObject({ min: finite })]));
const intDist = z.strictObject({ type: z.literal('int'), low: z.number().int(), high: z.number().int(), step: z.number().int().min(1).optional(), log: z.boolean().optional(), when: whenSpec.optional() });
const floatDist = z.strictObject({ type: z.literal('float'), low: finite, high: finite, log: z.boolean().optional(), when: whenSpec.optional() });
const categoricalDist = z.strictObject({ type: z.literal('categorical'), choices: z.array(paramValue).min(1), when: whenSpec.optional() });
// One object for both series forms, so a bad series names its own field rather than "no union branch matched".
const seriesDist = z.strictObject({
  type: z.literal('series'),
  values: z.array(finite).min(1).optional(),
  from: z.number().positive().optional(),
  to: z.number().positive().optional(),
  base: z.number().gt(1).optional(),
  midpoints: z.boolean().optional(),
  when: whenSpec.optional(),
});
/** A distribution in the forms a spec accepts: a list of values, or an object with a `type`. */
export const distribution = z.union([z.array(paramValue).min(1), z.discriminatedUnion('type', [intDist, floatDist, categoricalDist, seriesDist])]);
/** A distribution as written in a spec (before normalisation). */
export type RawDistribution = z.infer<typeof distribution>;

const datasetName = z.enum(['mnist', 'fashion-mnist']);
// A subset of a dataset: some classes (relabelled 0…k−1 in the order given) and a fraction of their labels.
const subset = {
  classes: z
    .array(z.number().int().min(0).max(9))
    .min(2)
    .refine((c) => new Set(c).size === c.length, 'Expected distinct classes')
    .optional(),
  label_fraction: z.number().gt(0).max(1).optional(),
};
// One object form (a known name or an IDX directory, plus a subset), so that a bad field is named as itself.
const datasetObject = z
  .strictObject({ name: datasetName.optional(), idx: z.string().min(1).optional(), ...subset })
  .refine((d) => (d.name === undefined) !== (d.idx === undefined), 'give exactly one of `name` and `idx`');
const datasetRef = z.union([datasetName, datasetObject]);

const tfjsTrainer = z.strictObject({
  type: z.literal('tfjs'),
  dataset: datasetRef.default('mnist'),
  train_limit: z.number().int().min(10).optional(),
  test_limit: z.number().int().min(1).optional(),
  validation_split: z.number().gt(0).lt(1).default(0.2),
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  evaluate_test: z.boolean().default(false),
  /** Save each completed trial's network (its best epoch's weights) as a TF.js Layers model under the study's model directory. */
  save_models: z.boolean().default(false),
  /** A TF.js Layers model directory (model.json + weights) to fine-tune: the network of every trial starts from it. */
  base_model: z.string().min(1).optional(),
});
const commandTrainer = z.strictObject({
  type: z.literal('command'),
  command: z.array(z.string().min(1)).min(1),
  cwd: z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
  timeout_s: z.number().positive().optional(),
  grace_s: z.number().min(0).optional(),
  gpus: z.array(z.string()).optional(),
  per_gpu: z.number().int().min(1).optional(),
  /** Cap of each trial's log file in bytes (default 10 MiB); past it the head and the tail are kept. */
  log_max_bytes: z.number().int().min(4096).optional(),
  /** The params the command accepts; absent: any. */
  params: commandParamsSchema.optional(),
});

const zonesSpec = z.strictObject({
  type: z.literal('zones'),
  survey_epochs: z.number().int().min(1).optional(),
  repeats: z.number().int().min(1).optional(),
  repeat_share: z.number().min(0).max(1).optional(),
  verify_peaks: z.boolean().optional(),
  persistence_epochs: z.array(z.number().int().min(1)).optional(),
  max_epoch: z.number().int().min(1).optional(),
  train_size: z.number().int().min(1).optional(),
  val_size: z.number().int().min(1).optional(),
  noise_band: z.number().positive().optional(),
  max_zones: z.number().int().min(1).optional(),
  method: z.enum(['split', 'golden', 'parabola']).optional(),
  split_parts: z.number().int().min(2).optional(),
  iterations: z.number().int().min(1).optional(),
  max_candidates: z.number().int().min(1).optional(),
  spread_candidates: z.union([z.number().int().min(0), z.literal('auto')]).optional(),
  schedules: z.array(z.string()).min(1).optional(),
  top_k: z.number().int().min(1).optional(),
  confirm_seeds: z.number().int().min(2).optional(),
  test_size: z.number().int().min(1).optional(),
  alpha: z.number().gt(0).lt(1).optional(),
});

const trialCount = z.number().int().min(1);
const objectiveSpec = z.strictObject({ metric: z.string().min(1), direction: z.enum(['maximize', 'minimize']) });
/** The default objective of a spec that names none. */
export const DEFAULT_OBJECTIVE = { metric: 'val_accuracy', direction: 'maximize' } as const;
const samplerSpec = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('grid'), points_per_axis: z.number().int().min(2).default(5) }),
  z.strictObject({ type: z.literal('random'), trials: trialCount }),
  z.strictObject({ type: z.literal('tpe'), trials: trialCount, multivariate: z.boolean().optional(), group: z.boolean().optional(), startup: z.number().int().min(0).optional() }),
  z.strictObject({ type: z.literal('sobol'), trials: trialCount }),
  z.strictObject({ type: z.literal('gp'), trials: trialCount, startup: z.number().int().min(1).optional() }),
  // The default search strategy (src/samplers/auto.ts): multivariate TPE, then GP-EI from `switch_at` trials.
  // `confirm`: share of the trials spent at the end re-evaluating the model's best (noisy objectives; 0 = off).
  z.strictObject({ type: z.literal('auto'), trials: trialCount, switch_at: z.number().int().min(0).optional(), confirm: z.number().min(0).max(0.9).optional() }),
  // The learned controller's warm start (src/samplers/controller.ts): `warm` trials by expected improvement on a
  // surrogate meta-trained on other tasks (`hyperzone controller train`), then auto (`switch_at`, `confirm` as auto's).
  z.strictObject({
    type: z.literal('controller'),
    trials: trialCount,
    model: z.string().min(1),
    warm: z.number().int().min(0).optional(),
    candidates: z.number().int().min(1).optional(),
    descriptors: z.record(z.string(), z.number()).optional(),
    switch_at: z.number().int().min(0).optional(),
    confirm: z.number().min(0).max(0.9).optional(),
    // After the warm start, keep the surrogate as the prior mean of auto's GP phase (ControllerOptions.priorMean).
    prior_mean: z.boolean().optional(),
    // How the warm trials are chosen: EI on the surrogate (default), or the model file's learned portfolio in order.
    start: z.enum(['surrogate', 'portfolio']).optional(),
  }),
  z.strictObject({
    type: z.literal('zones-nd'),
    trials: trialCount,
    initial: z.number().int().min(1).optional(),
    neighbours: z.number().int().min(1).optional(),
    max_zones: z.number().int().min(1).optional(),
    confirm_top: z.number().int().min(1).optional(),
    confirm_repeats: z.number().int().min(0).optional(),
    noise_band: z.number().min(0).optional(),
  }),
  // Multi-objective samplers (src/samplers/nsga2.ts, motpe.ts); they also run a single objective.
  z.strictObject({
    type: z.literal('nsga2'),
    trials: trialCount,
    population: z.number().int().min(2).optional(),
    crossover: z.enum(['uniform', 'sbx']).optional(),
    crossover_prob: z.number().min(0).max(1).optional(),
    mutation_prob: z.number().min(0).max(1).optional(),
  }),
  z.strictObject({ type: z.literal('motpe'), trials: trialCount, startup: z.number().int().min(1).optional(), candidates: z.number().int().min(1).optional() }),
  zonesSpec,
]);
/** The sampler section of a spec. */
export type SamplerSpec = z.infer<typeof samplerSpec>;

/** Early stopping / multi-fidelity: option names follow Optuna's pruners. */
const schedulerSpec = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('median'),
    startup_trials: z.number().int().min(0).optional(),
    warmup_steps: z.number().int().min(0).optional(),
    interval: z.number().int().min(1).optional(),
    min_trials: z.number().int().min(1).optional(),
  }),
  z.strictObject({
    type: z.enum(['successive-halving', 'asha']),
    min_resource: z.number().int().min(1).optional(),
    reduction_factor: z.number().int().min(2).optional(),
    min_early_stopping_rate: z.number().int().min(0).optional(),
  }),
  z.strictObject({
    type: z.literal('hyperband'),
    min_resource: z.number().int().min(1).optional(),
    max_resource: z.number().int().min(1).optional(),
    reduction_factor: z.number().int().min(2).optional(),
  }),
  // The learned controller's curve extrapolation (src/schedulers/curve-extrapolation.ts): stops a trial whose
  // predicted final value has less than `threshold` chance of beating the best complete trial; `model` a file of
  // `hyperzone controller train`, checked against the space before anything runs.
  z.strictObject({
    type: z.literal('curve-extrapolation'),
    model: z.string().min(1),
    threshold: z.number().gt(0).lt(1).optional(),
    descriptors: z.record(z.string(), z.number()).optional(),
  }),
]);
/** The scheduler section of a spec. */
export type SchedulerSpec = z.infer<typeof schedulerSpec>;

/** The whole spec file. */
export const specSchema = z.strictObject({
  study: z.string().regex(STUDY_NAME_PATTERN, `Expected ${STUDY_NAME_RULE}`).optional(),
  description: z.string().optional(),
  // One objective (default: maximize val_accuracy), or `objectives` (a list) for a multi-objective study; not both.
  objective: objectiveSpec.optional(),
  objectives: z.array(objectiveSpec).min(1).optional(),
  space: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'Expected a parameter name of letters, digits and underscores'), distribution),
  fixed: z.record(z.string(), paramValue).default({}),
  budget: z.strictObject({ epochs: z.number().int().min(1) }).optional(),
  seeds: z.number().int().min(1).default(1),
  seed: z.number().int().min(0).default(0),
  sampler: samplerSpec.default({ type: 'grid', points_per_axis: 5 }),
  scheduler: schedulerSpec.optional(),
  trainer: z.discriminatedUnion('type', [tfjsTrainer, commandTrainer]),
  parallel: z.number().int().min(1).optional(),
  max_attempts: z.number().int().min(1).default(3),
});

/** A spec as the schema returns it (distributions not yet normalised). */
export type RawSpec = z.infer<typeof specSchema>;
/** The trainer section of a spec. */
export type TrainerSpec = RawSpec['trainer'];
/** The dataset reference of the built-in trainer. */
export type DatasetRefSpec = z.infer<typeof datasetRef>;

/** The accepted forms of fields whose schema is a union, for error messages. */
export const ACCEPTED_FORMS: Readonly<Record<string, string>> = {
  space: 'a list of values ([32, 64]) or an object with `type` int, float, categorical or series',
  'trainer.dataset': '"mnist", "fashion-mnist", { idx: DIRECTORY } or { name: mnist, classes: [5, 6, 7, 8, 9], label_fraction: 0.1 } (classes and label_fraction also beside idx)',
  'trainer.params': 'a list of param names, or names with a declaration each ({ type: int|float|string|bool|lr_schedule, min, max, values })',
  fixed: 'a number, string or boolean',
};
