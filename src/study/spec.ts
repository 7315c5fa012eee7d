import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SpecError } from '../errors.js';
import { powerSeries, type DistributionSpec } from '../space/distribution.js';
import { Space } from '../space/space.js';

const finite = z.number().refine(Number.isFinite, 'Expected a finite number');
const paramValue = z.union([finite, z.string(), z.boolean()]);

const intDist = z.strictObject({ type: z.literal('int'), low: z.number().int(), high: z.number().int(), step: z.number().int().min(1).optional(), log: z.boolean().optional() });
const floatDist = z.strictObject({ type: z.literal('float'), low: finite, high: finite, log: z.boolean().optional() });
const categoricalDist = z.strictObject({ type: z.literal('categorical'), choices: z.array(paramValue).min(1) });
const seriesValues = z.strictObject({ type: z.literal('series'), values: z.array(finite).min(1) });
const seriesPowers = z.strictObject({
  type: z.literal('series'),
  from: z.number().positive(),
  to: z.number().positive(),
  base: z.number().gt(1).optional(),
  midpoints: z.boolean().optional(),
});
const distribution = z.union([intDist, floatDist, categoricalDist, seriesValues, seriesPowers, z.array(paramValue).min(1)]);

const datasetRef = z.union([z.enum(['mnist', 'fashion-mnist']), z.strictObject({ idx: z.string().min(1) })]);

const tfjsTrainer = z.strictObject({
  type: z.literal('tfjs'),
  dataset: datasetRef.default('mnist'),
  train_limit: z.number().int().min(10).optional(),
  test_limit: z.number().int().min(1).optional(),
  validation_split: z.number().gt(0).lt(1).default(0.2),
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  evaluate_test: z.boolean().default(false),
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
});

const zonesSpec = z.strictObject({
  type: z.literal('zones'),
  survey_epochs: z.number().int().min(1).optional(),
  repeats: z.number().int().min(1).optional(),
  max_epoch: z.number().int().min(1).optional(),
  val_size: z.number().int().min(1).optional(),
  noise_band: z.number().positive().optional(),
  max_zones: z.number().int().min(1).optional(),
  method: z.enum(['split', 'golden', 'parabola']).optional(),
  split_parts: z.number().int().min(2).optional(),
  iterations: z.number().int().min(1).optional(),
  max_candidates: z.number().int().min(1).optional(),
  spread_candidates: z.number().int().min(0).optional(),
  schedules: z.array(z.string()).min(1).optional(),
  top_k: z.number().int().min(1).optional(),
  confirm_seeds: z.number().int().min(2).optional(),
  test_size: z.number().int().min(1).optional(),
  alpha: z.number().gt(0).lt(1).optional(),
});

const trialCount = z.number().int().min(1);
const samplerSpec = z.union([
  z.strictObject({ type: z.literal('grid'), points_per_axis: z.number().int().min(2).default(5) }),
  z.strictObject({ type: z.literal('random'), trials: trialCount }),
  z.strictObject({ type: z.literal('tpe'), trials: trialCount, multivariate: z.boolean().optional(), startup: z.number().int().min(0).optional() }),
  z.strictObject({ type: z.literal('sobol'), trials: trialCount }),
  z.strictObject({ type: z.literal('gp'), trials: trialCount, startup: z.number().int().min(1).optional() }),
  // The default search strategy (src/samplers/auto.ts): multivariate TPE, then GP-EI from `switch_at` trials.
  // `confirm`: share of the trials spent at the end re-evaluating the model's best (noisy objectives; 0 = off).
  z.strictObject({ type: z.literal('auto'), trials: trialCount, switch_at: z.number().int().min(0).optional(), confirm: z.number().min(0).max(0.9).optional() }),
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
  zonesSpec,
]);

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
]);
/** The scheduler section of a spec. */
export type SchedulerSpec = z.infer<typeof schedulerSpec>;

const specSchema = z.strictObject({
  study: z.string().regex(/^[A-Za-z0-9._-]+$/, 'Expected letters, digits, dot, dash or underscore').optional(),
  description: z.string().optional(),
  objective: z.strictObject({ metric: z.string().min(1), direction: z.enum(['maximize', 'minimize']) }).default({ metric: 'val_accuracy', direction: 'maximize' }),
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

type RawSpec = z.infer<typeof specSchema>;
/** A validated study spec: distributions normalised to their canonical JSON form. */
export type StudySpec = Omit<RawSpec, 'space' | 'study'> & { study: string; space: Record<string, DistributionSpec> };
/** The trainer section of a spec. */
export type TrainerSpec = StudySpec['trainer'];
/** The dataset reference of the built-in trainer. */
export type DatasetRefSpec = z.infer<typeof datasetRef>;

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? s.slice(0, 77) + '...' : s;
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.') || '(root)';
}

/** Turns the first schema issue into one sentence naming the field and the value. */
function describeIssue(issue: z.core.$ZodIssue, root: unknown): string {
  const field = fieldPath(issue.path);
  let value: unknown = root;
  for (const k of issue.path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[k as string] : undefined;
  if (issue.code === 'unrecognized_keys') return `Unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `\`${field === '(root)' ? k : field + '.' + k}\``).join(', ')}`;
  if (value === undefined && issue.code === 'invalid_type') return `Missing field \`${field}\` (${issue.message.replace(/, received undefined$/, '')})`;
  if (issue.code === 'invalid_union') return `Field \`${field}\` has an invalid value ${show(value)}; see the README for the accepted forms`;
  return `Expected \`${field}\`: ${issue.message.replace(/^Invalid input: /, '')}, got ${show(value)}`;
}

function normaliseDistribution(name: string, d: z.infer<typeof distribution>): DistributionSpec {
  const where = `space.${name}`;
  if (Array.isArray(d)) {
    return d.every((v) => typeof v === 'number') ? { type: 'series', values: [...new Set(d as number[])] } : { type: 'categorical', choices: d };
  }
  if (d.type === 'series' && 'from' in d) {
    if (d.to < d.from) throw new SpecError(`Expected \`${where}.to\` ≥ \`from\` (${d.from}), got ${d.to}`);
    return { type: 'series', values: powerSeries(d.from, d.to, d.base ?? 2, d.midpoints ?? false) };
  }
  if (d.type === 'int' || d.type === 'float') {
    if (d.high < d.low) throw new SpecError(`Expected \`${where}.high\` ≥ \`low\` (${d.low}), got ${d.high}`);
    if (d.log && d.low <= 0) throw new SpecError(`Expected \`${where}.low\` > 0 for a log scale, got ${d.low}`);
  }
  return d as DistributionSpec;
}

/** The smallest and largest numeric value a spec'd parameter can take, for range checks. */
function numericRange(d: DistributionSpec): { values: readonly unknown[] } {
  switch (d.type) {
    case 'int':
    case 'float':
      return { values: [d.low, d.high] };
    case 'series':
      return { values: d.values };
    case 'categorical':
      return { values: d.choices };
  }
}

/** Rules for the trainer hyperparameters hyperzone knows, checked at study start for every value the space can take. */
const KNOWN_PARAMS: Record<string, { test: (v: unknown) => boolean; expected: string }> = {
  units: { test: (v) => Number.isInteger(v) && (v as number) >= 1, expected: 'an integer ≥ 1' },
  batch_size: { test: (v) => Number.isInteger(v) && (v as number) >= 1, expected: 'an integer ≥ 1' },
  epochs: { test: (v) => Number.isInteger(v) && (v as number) >= 1, expected: 'an integer ≥ 1' },
  dropout: { test: (v) => typeof v === 'number' && v >= 0 && v < 1, expected: 'a number in [0, 1)' },
  learning_rate: { test: (v) => typeof v === 'number' && v > 0 && Number.isFinite(v), expected: 'a number > 0' },
  lr_schedule: { test: (v) => typeof v === 'string' && /^(none|step:\d+(:0?\.\d+)?|plateau:\d+(:0?\.\d+)?)$/.test(v), expected: "'none', 'step:N' or 'plateau:N' (optionally ':factor')" },
};

function checkKnownParam(field: string, name: string, value: unknown): void {
  const rule = KNOWN_PARAMS[name] ?? (/^units_\d+$/.test(name) ? KNOWN_PARAMS.units : /^dropout_\d+$/.test(name) ? KNOWN_PARAMS.dropout : undefined);
  if (rule && !rule.test(value)) throw new SpecError(`Expected \`${field}\` to be ${rule.expected}, got ${show(value)}`);
}

/** Cross-field checks of the scheduler section: rungs must fit within the trial budget. */
function checkScheduler(raw: RawSpec): void {
  const sc = raw.scheduler;
  if (sc === undefined) return;
  if (raw.sampler.type === 'zones') throw new SpecError(`Expected no \`scheduler\` with \`sampler.type\` "zones" (the zone strategy reads full learning curves), got ${show(sc.type)}`);
  const epochs = raw.budget?.epochs;
  if (sc.type === 'median') {
    if (epochs !== undefined && (sc.warmup_steps ?? 0) >= epochs) throw new SpecError(`Expected \`scheduler.warmup_steps\` < \`budget.epochs\` (${epochs}), got ${sc.warmup_steps}`);
    return;
  }
  const min = sc.min_resource ?? 1;
  if (sc.type === 'hyperband') {
    const max = sc.max_resource ?? epochs;
    if (max === undefined) throw new SpecError('Missing field `scheduler.max_resource` (or `budget.epochs`): Hyperband needs the full budget of a trial');
    if (max < min) throw new SpecError(`Expected \`scheduler.max_resource\` ≥ \`scheduler.min_resource\` (${min}), got ${max}`);
    if (epochs !== undefined && max > epochs) throw new SpecError(`Expected \`scheduler.max_resource\` ≤ \`budget.epochs\` (${epochs}), got ${max}`);
    return;
  }
  const first = min * (sc.reduction_factor ?? 3) ** (sc.min_early_stopping_rate ?? 0);
  if (epochs !== undefined && first > epochs) throw new SpecError(`Expected the first rung (\`scheduler.min_resource\` · reduction_factor^min_early_stopping_rate = ${first}) ≤ \`budget.epochs\` (${epochs}), got min_resource ${min}`);
}

/** Validates a parsed spec object; throws SpecError naming the field and value. */
export function validateSpec(input: unknown, fallbackName = 'study'): StudySpec {
  const r = specSchema.safeParse(input, { reportInput: true });
  if (!r.success) {
    const issue = r.error.issues[0] as z.core.$ZodIssue;
    throw new SpecError(describeIssue(issue, input), { cause: r.error });
  }
  const raw = r.data;
  const space: Record<string, DistributionSpec> = {};
  for (const [name, d] of Object.entries(raw.space)) space[name] = normaliseDistribution(name, d);
  if (Object.keys(space).length === 0) throw new SpecError('Expected `space` to name at least one parameter, got {}');
  for (const [name, d] of Object.entries(space)) {
    for (const v of numericRange(d).values) checkKnownParam(`space.${name}`, name, v);
    if (name in raw.fixed) throw new SpecError(`Parameter \`${name}\` is both in \`space\` and in \`fixed\`; keep one`);
  }
  for (const [name, v] of Object.entries(raw.fixed)) checkKnownParam(`fixed.${name}`, name, v);
  checkScheduler(raw);
  if (raw.sampler.type === 'zones') {
    for (const [i, v] of (raw.sampler.schedules ?? []).entries()) checkKnownParam(`sampler.schedules.${i}`, 'lr_schedule', v);
    if (raw.budget === undefined) throw new SpecError('Missing field `budget.epochs` (the zone strategy trains every stage for that many epochs)');
    const survey = raw.sampler.survey_epochs;
    if (survey !== undefined && survey > raw.budget.epochs) throw new SpecError(`Expected \`sampler.survey_epochs\` ≤ \`budget.epochs\` (${raw.budget.epochs}), got ${survey}`);
    const maxEpoch = raw.sampler.max_epoch;
    if (maxEpoch !== undefined && maxEpoch > (survey ?? raw.budget.epochs)) throw new SpecError(`Expected \`sampler.max_epoch\` ≤ the epochs of stage 1 (${survey ?? raw.budget.epochs}), got ${maxEpoch}`);
  }
  if (raw.sampler.type === 'grid' || raw.sampler.type === 'zones') {
    const size = Space.fromSpec(space).gridSize(raw.sampler.type === 'grid' ? raw.sampler.points_per_axis : 5);
    if (size > 100_000) throw new SpecError(`Expected the grid to have at most 100000 points, got ${size}; use \`sampler: { type: random, trials: N }\``);
  }
  if (raw.trainer.type === 'tfjs' && raw.budget === undefined && !('epochs' in raw.fixed) && !('epochs' in space)) {
    throw new SpecError('Missing field `budget.epochs` (the built-in trainer needs a number of epochs)');
  }
  return { ...raw, study: raw.study ?? fallbackName, space };
}

/** Reads a YAML or JSON spec file and validates it; the study name defaults to the file's base name. */
export function loadSpecFile(path: string): StudySpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SpecError(`Cannot read spec file ${path}: ${(e as Error).message}`, { cause: e });
  }
  let data: unknown;
  try {
    data = extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new SpecError(`Spec file ${path} is not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return validateSpec(data, basename(path, extname(path)));
  } catch (e) {
    if (e instanceof SpecError) throw new SpecError(`${path}: ${e.message}`, { cause: e.cause });
    throw e;
  }
}
