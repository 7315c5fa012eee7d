import type { z } from 'zod';
import { isStudyName, STUDY_NAME_RULE } from '../core/names.js';
import { InputError, SpecError } from '../core/errors.js';
import { powerSeries, type DistributionSpec } from '../space/distribution.js';
import { Space } from '../space/space.js';
import type { ObjectiveSpec, ParamValue, Params } from '../core/types.js';
import type { ConditionSpec, ParamSpec } from '../space/condition.js';
import { deriveSeed } from '../core/rng.js';
import { parseLrSchedule } from '../runners/lr-schedule.js';
import { OPEN_CONTRACT, ruleOf, type ParamContract } from '../runners/param-contract.js';
import { TFJS_FINETUNE_PARAMS, TFJS_PARAMS, TFJS_TRIAL_METRICS } from '../runners/tfjs/params.js';
import { commandParamContract } from '../runners/command/params.js';
import type { ZoneOptions } from '../strategies/zones/options.js';
import { DEFAULT_OBJECTIVE, specSchema, type RawDistribution, type RawSpec, type SamplerSpec, type SchedulerSpec, type TrainerSpec } from './schema.js';
import { describeIssue, show } from './issues.js';
import { checkParams } from './check-params.js';
import { rungStepsOf } from './rungs.js';

/** A validated study spec: distributions normalised to their canonical JSON form, the study named. */
export type StudySpec = Omit<RawSpec, 'space' | 'study'> & { study: string; space: Record<string, ParamSpec> };

/** A spec compiled once: everything downstream (run, create, worker, stage, report) reads these fields. */
export interface StudyPlan {
  /** The validated, normalised spec: what the study stores and what a resume is compared with. */
  readonly spec: StudySpec;
  readonly name: string;
  /** The first (or only) objective: what the trainer optimises, schedulers watch and single-objective samplers read. */
  readonly objective: ObjectiveSpec;
  /** Every objective (`objectives:` in the spec; else `objective` alone). */
  readonly objectives: readonly ObjectiveSpec[];
  readonly space: Space;
  readonly fixed: Params;
  /** The study seed, from which every trial seed is derived. */
  readonly seed: number;
  /** The trial seeds: one per repeat, shared by all configurations. */
  readonly trialSeeds: readonly number[];
  /** The per-trial budget (epochs), or null. */
  readonly budget: number | null;
  /** The trial limit of sampler-driven specs (undefined for grids and the zone strategy). */
  readonly maxTrials: number | undefined;
  /** How many trials the sampler will run in all. */
  readonly plannedTotal: number;
  readonly maxAttempts: number;
  /** Trials in parallel the spec asks for, if any (the CLI flag wins). */
  readonly parallel: number | undefined;
  readonly sampler: SamplerSpec;
  readonly scheduler: SchedulerSpec | undefined;
  /** Rung steps of a rung-based scheduler (capped at the budget), or null. */
  readonly rungSteps: readonly number[] | null;
  readonly trainer: TrainerSpec;
  /** The params the trainer accepts. */
  readonly params: ParamContract;
  /** The zone strategy's options this spec implies (used by `sampler: zones`, `stage` and `report`). */
  readonly zoneOptions: ZoneOptions;
}

/** Options of compile. */
export interface CompileOptions {
  /** The study name when the spec has none (the spec file's base name). */
  readonly fallbackName?: string;
  /** A name that replaces the spec's own (`--study`). */
  readonly name?: string;
  /**
   * Whether to hold space and fixed to the trainer's param contract (default true). Readers of a stored study
   * (status, report) pass false: a study recorded under older rules stays readable.
   */
  readonly checkParams?: boolean;
}

/**
 * A parameter's `when` in its compiled form. YAML: `when: { model: cnn }`, `{ model: [cnn, rnn] }` or
 * `{ num_layers: { min: 3 } }`, one parent each; the compiled form (`{ parent, values }` / `{ parent, min }`,
 * what stored specs hold) passes through.
 */
function normaliseWhen(name: string, when: Readonly<Record<string, unknown>>): ConditionSpec {
  const where = `space.${name}.when`;
  const keys = Object.keys(when);
  if (keys.length === 2 && typeof when['parent'] === 'string') {
    if (Array.isArray(when['values'])) return { parent: when['parent'], values: when['values'] as ParamValue[] };
    if (typeof when['min'] === 'number') return { parent: when['parent'], min: when['min'] };
  }
  if (keys.length !== 1) throw new SpecError(`Expected \`${where}\` to name one parent parameter (\`when: { num_layers: { min: 2 } }\`, \`when: { model: cnn }\`), got ${keys.length === 0 ? 'none' : keys.map((k) => `\`${k}\``).join(', ')}`);
  const parent = keys[0] as string;
  const v = when[parent];
  if (Array.isArray(v)) return { parent, values: v as ParamValue[] };
  if (v !== null && typeof v === 'object') return { parent, min: (v as { min: number }).min };
  return { parent, values: [v as ParamValue] };
}

function normaliseParam(name: string, d: RawDistribution): ParamSpec {
  if (Array.isArray(d) || d.when === undefined) return normaliseDistribution(name, d);
  const { when, ...dist } = d;
  return { ...normaliseDistribution(name, dist as RawDistribution), when: normaliseWhen(name, when) };
}

function normaliseDistribution(name: string, d: RawDistribution): DistributionSpec {
  const where = `space.${name}`;
  if (Array.isArray(d)) {
    return d.every((v) => typeof v === 'number') ? { type: 'series', values: [...new Set(d as number[])] } : { type: 'categorical', choices: d };
  }
  if (d.type === 'series') {
    if (d.values !== undefined) {
      const extra = (['from', 'to', 'base', 'midpoints'] as const).find((k) => d[k] !== undefined);
      if (extra) throw new SpecError(`Expected \`${where}\` to give either \`values\` or \`from\`/\`to\`, got both (\`${extra}\`)`);
      return { type: 'series', values: d.values };
    }
    if (d.from === undefined || d.to === undefined) throw new SpecError(`\`${where}.${d.from === undefined ? 'from' : 'to'}\` is required for series (give \`values: [...]\`, or \`from\` and \`to\`)`);
    if (d.to < d.from) throw new SpecError(`Expected \`${where}.to\` ≥ \`from\` (${d.from}), got ${d.to}`);
    return { type: 'series', values: powerSeries(d.from, d.to, d.base ?? 2, d.midpoints ?? false) };
  }
  if (d.type === 'int' || d.type === 'float') {
    if (d.high < d.low) throw new SpecError(`Expected \`${where}.high\` ≥ \`low\` (${d.low}), got ${d.high}`);
    if (d.log && d.low <= 0) throw new SpecError(`Expected \`${where}.low\` > 0 for a log scale, got ${d.low}`);
  }
  // zod's optional fields read `x?: T | undefined`; the schema never produces an explicit undefined.
  return d as DistributionSpec;
}

/** The space, with a condition problem (unknown parent, cycle, unsatisfiable) as a SpecError naming the path. */
function spaceOf(space: Readonly<Record<string, ParamSpec>>): Space {
  try {
    return Space.fromSpec(space);
  } catch (e) {
    if (e instanceof InputError && !(e instanceof SpecError)) throw new SpecError(e.message, { cause: e });
    throw e;
  }
}

/** Samplers that handle several objectives (the others refuse them at compile time). */
export const MULTI_OBJECTIVE_SAMPLERS: readonly string[] = ['nsga2', 'motpe', 'random', 'sobol', 'grid'];

/**
 * The objectives of a spec: `objective` or `objectives` (exactly one; neither means maximize val_accuracy). Each
 * metric once; with several, the sampler must handle them and no scheduler may stop trials on the first alone.
 */
function objectivesOf(raw: RawSpec): ObjectiveSpec[] {
  if (raw.objective !== undefined && raw.objectives !== undefined) {
    throw new SpecError('Expected one of `objective` (one metric) and `objectives` (a list), got both; keep one');
  }
  const list = raw.objectives ?? [raw.objective ?? DEFAULT_OBJECTIVE];
  for (const [i, o] of list.entries()) {
    const j = list.findIndex((x) => x.metric === o.metric);
    if (j !== i) throw new SpecError(`Expected \`objectives[${i}].metric\` to differ from \`objectives[${j}].metric\`, got ${show(o.metric)} twice`);
  }
  if (list.length > 1) {
    if (!MULTI_OBJECTIVE_SAMPLERS.includes(raw.sampler.type)) {
      throw new SpecError(`Expected \`sampler.type\` to be one of ${MULTI_OBJECTIVE_SAMPLERS.join(', ')} with ${list.length} \`objectives\`, got ${show(raw.sampler.type)}: it optimises one objective`);
    }
    if (raw.scheduler !== undefined) throw new SpecError(`Expected no \`scheduler\` with ${list.length} \`objectives\` (a trial stopped on its first objective has no value for the others), got ${show(raw.scheduler.type)}`);
    if (raw.trainer.type === 'tfjs') {
      const known = TFJS_TRIAL_METRICS;
      for (const [i, o] of list.entries()) {
        if (i > 0 && !known.includes(o.metric)) throw new SpecError(`Expected \`objectives[${i}].metric\` to be one of ${known.join(', ')} for the tfjs trainer, got ${show(o.metric)}`);
      }
    }
  }
  return list.map((o) => ({ metric: o.metric, direction: o.direction }));
}

/** Cross-field checks of the scheduler section: rungs must fit within the trial budget. */
function checkScheduler(raw: RawSpec): void {
  const sc = raw.scheduler;
  if (sc === undefined) return;
  if (raw.sampler.type === 'zones') throw new SpecError(`Expected no \`scheduler\` with \`sampler.type\` "zones" (the zone strategy reads full learning curves), got ${show(sc.type)}`);
  const epochs = raw.budget?.epochs;
  if (sc.type === 'curve-extrapolation') {
    if (epochs === undefined) throw new SpecError('Missing field `budget.epochs`: `scheduler.type` "curve-extrapolation" predicts a trial\'s value at the end of its budget');
    return;
  }
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

function checkZones(raw: RawSpec, contract: ParamContract): void {
  if (raw.sampler.type !== 'zones') return;
  const rule = ruleOf(contract, 'lr_schedule');
  if (rule === null) throw new SpecError('The zone strategy sets `lr_schedule` in stage 3, which the trainer does not accept; declare it in `trainer.params`');
  for (const [i, v] of (raw.sampler.schedules ?? []).entries()) {
    const ok = rule ? rule.schema.safeParse(v).success : (() => { try { parseLrSchedule(v); return true; } catch { return false; } })();
    if (!ok) throw new SpecError(`Expected \`sampler.schedules[${i}]\` to be ${rule?.expected ?? "'none', 'step:N[:F]' or 'plateau:P[:F]'"}, got ${show(v)}`);
  }
  if (raw.budget === undefined) throw new SpecError('Missing field `budget.epochs` (the zone strategy trains every stage for that many epochs)');
  const survey = raw.sampler.survey_epochs;
  if (survey !== undefined && survey > raw.budget.epochs) throw new SpecError(`Expected \`sampler.survey_epochs\` ≤ \`budget.epochs\` (${raw.budget.epochs}), got ${survey}`);
  const maxEpoch = raw.sampler.max_epoch;
  if (maxEpoch !== undefined && maxEpoch > (survey ?? raw.budget.epochs)) throw new SpecError(`Expected \`sampler.max_epoch\` ≤ the epochs of stage 1 (${survey ?? raw.budget.epochs}), got ${maxEpoch}`);
}

/** The param contract of a spec's trainer. */
export function contractOf(trainer: TrainerSpec): ParamContract {
  if (trainer.type === 'tfjs') return trainer.base_model !== undefined ? TFJS_FINETUNE_PARAMS : TFJS_PARAMS;
  return trainer.params === undefined ? OPEN_CONTRACT : commandParamContract(trainer.params);
}

/**
 * Dataset sizes the zone strategy's noise band and compute accounting use: known for the built-in trainer's
 * bundled datasets (60,000 training and 10,000 test images, or the limits), unknown otherwise (a command
 * trainer's data is its own; the spec gives `sampler.train_size`, `val_size` and `test_size`).
 */
function datasetSizes(t: TrainerSpec): { train: number; val: number; test: number | undefined } | null {
  if (t.type !== 'tfjs') return null;
  // A class subset or a label fraction has sizes known only once the labels are read.
  if (typeof t.dataset === 'object' && (t.dataset.classes !== undefined || t.dataset.label_fraction !== undefined)) return null;
  const bundled = typeof t.dataset === 'string' || t.dataset.name !== undefined;
  const all = bundled ? Math.min(t.train_limit ?? 60_000, 60_000) : t.train_limit;
  if (all === undefined) return null;
  const train = Math.floor(all * (1 - t.validation_split));
  const test = bundled ? Math.min(t.test_limit ?? 10_000, 10_000) : t.test_limit;
  return { train, val: all - train, test };
}

function zoneOptionsOf(raw: RawSpec, budget: number | null): ZoneOptions {
  const z = raw.sampler.type === 'zones' ? raw.sampler : { type: 'zones' as const };
  const sizes = datasetSizes(raw.trainer);
  return {
    epochs: budget ?? 40,
    surveyEpochs: z.survey_epochs,
    seed: raw.seed,
    repeats: z.repeats,
    repeatShare: z.repeat_share,
    verifyPeaks: z.verify_peaks,
    persistenceEpochs: z.persistence_epochs,
    maxEpoch: z.max_epoch,
    valSize: z.val_size ?? sizes?.val,
    noiseBand: z.noise_band,
    maxZones: z.max_zones,
    method: z.method,
    splitParts: z.split_parts,
    iterations: z.iterations,
    maxCandidates: z.max_candidates,
    spreadCandidates: z.spread_candidates,
    schedules: z.schedules,
    topK: z.top_k,
    confirmSeeds: z.confirm_seeds,
    testSize: z.test_size ?? sizes?.test,
    alpha: z.alpha,
    trainSize: z.train_size ?? sizes?.train,
  };
}

/** Runs the schema over a parsed spec object; throws SpecError naming the field, the value and the accepted forms. */
function parseSchema(input: unknown): RawSpec {
  const r = specSchema.safeParse(input, { reportInput: true });
  if (r.success) return r.data;
  const issue = r.error.issues[0] as z.core.$ZodIssue;
  throw new SpecError(describeIssue(issue, input), { cause: r.error });
}

/**
 * Compiles a parsed spec (YAML/JSON object, or a stored spec) into a StudyPlan, once: schema, normalised
 * distributions, the trainer's param contract, cross-field rules. Throws SpecError (exit code 2) naming the field.
 */
export function compile(input: unknown, options: CompileOptions = {}): StudyPlan {
  const raw = parseSchema(input);
  const objectives = objectivesOf(raw);
  const space: Record<string, ParamSpec> = {};
  for (const [name, d] of Object.entries(raw.space)) space[name] = normaliseParam(name, d);
  if (Object.keys(space).length === 0) throw new SpecError('Expected `space` to name at least one parameter, got {}');
  for (const name of Object.keys(space)) {
    if (name in raw.fixed) throw new SpecError(`Parameter \`${name}\` is both in \`space\` and in \`fixed\`; keep one`);
  }
  const contract = contractOf(raw.trainer);
  if (options.checkParams !== false) checkParams(contract, raw.space, raw.fixed);
  checkScheduler(raw);
  checkZones(raw, contract);
  const built = spaceOf(space);
  const conditional = [...built.conditions.keys()][0];
  if (conditional !== undefined && (raw.sampler.type === 'zones' || raw.sampler.type === 'zones-nd')) {
    throw new SpecError(`Expected \`sampler.type\` grid, random, sobol, tpe, gp or auto with conditional params (\`space.${conditional}\` has \`when\`), got ${show(raw.sampler.type)}: the zone strategies need every param in every trial`);
  }
  if (raw.sampler.type === 'grid' || raw.sampler.type === 'zones') {
    const size = built.gridSize(raw.sampler.type === 'grid' ? raw.sampler.points_per_axis : 5);
    if (size > 100_000) throw new SpecError(`Expected the grid to have at most 100000 points, got ${size}; use \`sampler: { type: random, trials: N }\``);
  }
  if (raw.trainer.type === 'tfjs' && raw.budget === undefined && !('epochs' in raw.fixed) && !('epochs' in space)) {
    throw new SpecError('Missing field `budget.epochs` (the built-in trainer needs a number of epochs)');
  }
  // The built-in trainer trains for the budget when there is one: an `epochs` param beside it would be ignored.
  if (raw.trainer.type === 'tfjs' && raw.budget !== undefined && ('epochs' in raw.fixed || 'epochs' in space)) {
    throw new SpecError(`Param \`${'epochs' in space ? 'space' : 'fixed'}.epochs\` would be ignored: the tfjs trainer trains for \`budget.epochs\` (${raw.budget.epochs}); keep one`);
  }
  const name = options.name ?? raw.study ?? options.fallbackName ?? 'study';
  // The one study-name rule (core/names.ts); a name from the file name is checked too, since it becomes a directory.
  if (!isStudyName(name)) throw new SpecError(`Expected \`study\` to be ${STUDY_NAME_RULE}, got ${JSON.stringify(name)}${options.name === undefined && raw.study === undefined ? ' (from the file name: set `study:` in the spec)' : ''}`);
  // One objective is stored as `objective` (as before `objectives` existed), several as `objectives` alone.
  const { objective: _o, objectives: _os, ...rest } = raw;
  const spec: StudySpec = objectives.length === 1
    ? { ...rest, objective: objectives[0] as ObjectiveSpec, study: name, space }
    : { ...rest, objectives, study: name, space };
  const budget = raw.budget?.epochs ?? null;
  const s = raw.sampler;
  const plannedTotal = s.type === 'grid' ? built.gridSize(s.points_per_axis) * raw.seeds : 'trials' in s ? s.trials : built.gridSize() * (s.repeats ?? 1);
  return {
    spec,
    name,
    objective: objectives[0] as ObjectiveSpec,
    objectives,
    space: built,
    fixed: raw.fixed,
    seed: raw.seed,
    trialSeeds: Array.from({ length: raw.seeds }, (_, i) => deriveSeed(raw.seed, 'repeat', i)),
    budget,
    maxTrials: 'trials' in s ? s.trials : undefined,
    plannedTotal,
    maxAttempts: raw.max_attempts,
    parallel: raw.parallel,
    sampler: s,
    scheduler: raw.scheduler,
    rungSteps: rungStepsOf(raw.scheduler, budget),
    trainer: raw.trainer,
    params: contract,
    zoneOptions: zoneOptionsOf(raw, budget),
  };
}
