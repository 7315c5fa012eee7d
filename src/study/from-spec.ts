import { isDeepStrictEqual } from 'node:util';
import { InputError } from '../errors.js';
import { gridSampler } from '../samplers/grid.js';
import { randomSampler } from '../samplers/random.js';
import type { Sampler } from '../samplers/sampler.js';
import type { Scheduler } from '../schedulers/scheduler.js';
import { MedianStoppingScheduler } from '../schedulers/median.js';
import { SuccessiveHalvingScheduler } from '../schedulers/successive-halving.js';
import { HyperbandScheduler } from '../schedulers/hyperband.js';
import { BohbSampler } from '../schedulers/bohb.js';
import { TpeSampler, type TpeOptions } from '../samplers/tpe.js';
import { SobolSampler } from '../samplers/sobol.js';
import { GpSampler } from '../samplers/gp.js';
import { AutoSampler } from '../samplers/auto.js';
import { ZonesNdSampler } from '../samplers/zones-nd.js';
import { Space } from '../space/space.js';
import type { Storage } from '../storage/storage.js';
import { deriveSeed } from '../util/rng.js';
import { validateSpec, type StudySpec } from './spec.js';
import type { ZoneOptions } from '../samplers/zones/options.js';
import type { StudyRecord } from './types.js';

/**
 * The sampler a spec asks for. TPE (and GP) under a rung-based scheduler (successive halving, ASHA,
 * Hyperband) become BOHB-style: fitted on the highest rung with enough values (src/schedulers/bohb.ts).
 */
export function samplerFromSpec(spec: StudySpec): Sampler {
  const s = spec.sampler;
  if (s.type === 'grid') return gridSampler({ pointsPerAxis: s.points_per_axis, seeds: seedsOf(spec), budget: budgetOf(spec) });
  if (s.type === 'random') return randomSampler();
  if (s.type === 'sobol') return new SobolSampler();
  if (s.type === 'gp') {
    const gp = new GpSampler(s.startup !== undefined ? { nStartupTrials: s.startup } : {});
    const rungs = rungStepsOf(spec);
    return rungs ? new BohbSampler({ rungSteps: rungs, metric: spec.objective.metric, inner: gp, minObservations: s.startup ?? 10 }) : gp;
  }
  if (s.type === 'auto') {
    const rungs = rungStepsOf(spec);
    // The budget lets auto end with re-evaluations (noisy objectives only); under a multi-fidelity scheduler
    // trials are not full trainings, so there it only searches.
    const auto = new AutoSampler({
      ...(s.switch_at !== undefined ? { switchAt: s.switch_at } : {}),
      ...(rungs ? {} : { trials: s.trials }),
      ...(s.confirm !== undefined ? { confirmShare: s.confirm } : {}),
    });
    return rungs ? new BohbSampler({ rungSteps: rungs, metric: spec.objective.metric, inner: auto, minObservations: 10 }) : auto;
  }
  if (s.type === 'zones-nd') {
    return new ZonesNdSampler({
      trials: s.trials,
      ...(s.initial !== undefined ? { initial: s.initial } : {}),
      ...(s.neighbours !== undefined ? { neighbours: s.neighbours } : {}),
      ...(s.max_zones !== undefined ? { maxZones: s.max_zones } : {}),
      ...(s.confirm_top !== undefined ? { confirmTop: s.confirm_top } : {}),
      ...(s.confirm_repeats !== undefined ? { confirmRepeats: s.confirm_repeats } : {}),
      ...(s.noise_band !== undefined ? { noiseBand: s.noise_band } : {}),
      seed: deriveSeed(spec.seed, 'zones-nd'),
    });
  }
  if (s.type === 'tpe') {
    const tpe: TpeOptions = { ...(s.multivariate !== undefined ? { multivariate: s.multivariate } : {}), ...(s.startup !== undefined ? { nStartupTrials: s.startup } : {}) };
    const rungs = rungStepsOf(spec);
    return rungs ? new BohbSampler({ rungSteps: rungs, metric: spec.objective.metric, tpe }) : new TpeSampler(tpe);
  }
  // The zone strategy enqueues each stage's plan itself (src/study/zones-study.ts); its workers only claim.
  return { name: 'zones' };
}

/** The scheduler (early stopping, multi-fidelity) a spec asks for; none by default. */
export function schedulerFromSpec(spec: StudySpec): Scheduler | undefined {
  const sc = spec.scheduler;
  if (sc === undefined) return undefined;
  const opt = <T>(key: string, v: T | undefined): Record<string, T> => (v === undefined ? {} : { [key]: v });
  switch (sc.type) {
    case 'median':
      return new MedianStoppingScheduler({ ...opt('nStartupTrials', sc.startup_trials), ...opt('nWarmupSteps', sc.warmup_steps), ...opt('intervalSteps', sc.interval), ...opt('nMinTrials', sc.min_trials) });
    case 'successive-halving':
    case 'asha':
      return new SuccessiveHalvingScheduler({ name: sc.type, ...opt('minResource', sc.min_resource), ...opt('reductionFactor', sc.reduction_factor), ...opt('minEarlyStoppingRate', sc.min_early_stopping_rate) });
    case 'hyperband':
      // validateSpec guarantees max_resource or budget.epochs.
      // Brackets hashed from the study name as Optuna's HyperbandPruner does.
      return new HyperbandScheduler({ maxResource: sc.max_resource ?? budgetOf(spec) ?? 1, studyName: spec.study, ...opt('minResource', sc.min_resource), ...opt('reductionFactor', sc.reduction_factor) });
  }
}

/** The rung steps of a rung-based scheduler (capped at the budget), or null for none / median stopping. */
function rungStepsOf(spec: StudySpec): number[] | null {
  const sc = schedulerFromSpec(spec);
  if (sc instanceof HyperbandScheduler) return sc.rungSteps();
  if (!(sc instanceof SuccessiveHalvingScheduler)) return null;
  const max = budgetOf(spec) ?? sc.rungStep(8);
  const out: number[] = [];
  for (let k = 0; sc.rungStep(k) <= max; k++) out.push(sc.rungStep(k));
  if (out[out.length - 1] !== max) out.push(max);
  return out;
}

/** The trial seeds of a spec: one per repeat, derived from the study seed (shared by all configurations). */
export function seedsOf(spec: StudySpec): number[] {
  return Array.from({ length: spec.seeds }, (_, i) => deriveSeed(spec.seed, 'repeat', i));
}

/** The per-trial budget (epochs) of a spec, or null. */
export function budgetOf(spec: StudySpec): number | null {
  return spec.budget?.epochs ?? null;
}

/** The trial limit of sampler-driven (non-planned) specs. */
export function maxTrialsOf(spec: StudySpec): number | undefined {
  return 'trials' in spec.sampler ? spec.sampler.trials : undefined;
}

/** How many trials the spec's sampler will run in all. */
export function plannedTotal(spec: StudySpec): number {
  if (spec.sampler.type === 'grid') return spaceOf(spec).gridSize(spec.sampler.points_per_axis) * spec.seeds;
  if ('trials' in spec.sampler) return spec.sampler.trials;
  return spaceOf(spec).gridSize() * (spec.sampler.repeats ?? 1);
}

/** The parts of a spec that define what a trial means: a stored study with other values cannot be resumed with this spec. */
function identity(spec: StudySpec): unknown {
  return { objective: spec.objective, space: spec.space, fixed: spec.fixed, budget: spec.budget ?? null, trainer: spec.trainer, seed: spec.seed };
}

/** Opens the spec's study, creating it on first run; a stored study with a different definition is refused. */
export async function openStudyForSpec(storage: Storage, spec: StudySpec): Promise<{ study: StudyRecord; resumed: boolean }> {
  const existing = await storage.getStudy(spec.study);
  if (!existing) {
    return { study: await storage.createStudy({ name: spec.study, direction: spec.objective.direction, metric: spec.objective.metric, spec }), resumed: false };
  }
  const stored = validateSpec(existing.spec, existing.name);
  if (!isDeepStrictEqual(identity(stored), identity(spec))) {
    const diff = Object.keys(identity(spec) as object).filter((k) => !isDeepStrictEqual((identity(spec) as Record<string, unknown>)[k], (identity(stored) as Record<string, unknown>)[k]));
    throw new InputError(`Study \`${spec.study}\` already exists with a different ${diff.join(', ')}; resume it with the same spec, or give a new name with --study`, { code: 'STUDY_EXISTS' });
  }
  return { study: existing, resumed: true };
}

/** The zone strategy's options from a spec (sizes of the validation and test sets inferred from the trainer). */
export function zoneOptionsOf(spec: StudySpec): ZoneOptions {
  const z = spec.sampler.type === 'zones' ? spec.sampler : { type: 'zones' as const };
  const t = spec.trainer;
  const trainAll = t.type === 'tfjs' ? (t.train_limit ?? 60_000) : 60_000;
  const split = t.type === 'tfjs' ? t.validation_split : 0.2;
  const opt = <T>(v: T | undefined): T | undefined => v;
  return {
    epochs: budgetOf(spec) ?? 40,
    surveyEpochs: opt(z.survey_epochs),
    seed: spec.seed,
    repeats: opt(z.repeats),
    maxEpoch: opt(z.max_epoch),
    valSize: z.val_size ?? trainAll - Math.floor(trainAll * (1 - split)),
    noiseBand: opt(z.noise_band),
    maxZones: opt(z.max_zones),
    method: opt(z.method),
    splitParts: opt(z.split_parts),
    iterations: opt(z.iterations),
    maxCandidates: opt(z.max_candidates),
    spreadCandidates: opt(z.spread_candidates),
    schedules: opt(z.schedules),
    topK: opt(z.top_k),
    confirmSeeds: opt(z.confirm_seeds),
    testSize: z.test_size ?? (t.type === 'tfjs' ? (t.test_limit ?? 10_000) : 10_000),
    alpha: opt(z.alpha),
    trainSize: Math.floor(trainAll * (1 - split)),
  };
}

/** The stored spec of a study (what workers and `status` run from). */
export function specOfStudy(study: StudyRecord): StudySpec {
  return validateSpec(study.spec, study.name);
}

/** The space of a spec. */
export function spaceOf(spec: StudySpec): Space {
  return Space.fromSpec(spec.space);
}
