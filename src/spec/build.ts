import { gridSampler } from '../samplers/grid.js';
import { randomSampler } from '../samplers/random.js';
import type { Sampler } from '../samplers/sampler.js';
import type { Scheduler } from '../schedulers/scheduler.js';
import { MedianStoppingScheduler } from '../schedulers/median.js';
import { SuccessiveHalvingScheduler } from '../schedulers/successive-halving.js';
import { HyperbandScheduler } from '../schedulers/hyperband.js';
import { CurveExtrapolationScheduler } from '../schedulers/curve-extrapolation.js';
import { BohbSampler } from '../samplers/bohb.js';
import { TpeSampler, type TpeOptions } from '../samplers/tpe.js';
import { SobolSampler } from '../samplers/sobol.js';
import { GpSampler } from '../samplers/gp.js';
import { AutoSampler } from '../samplers/auto.js';
import { ZonesNdSampler } from '../samplers/zones-nd.js';
import { Nsga2Sampler } from '../samplers/nsga2.js';
import { MotpeSampler } from '../samplers/motpe.js';
import { ControllerSampler, surrogatePriorMean } from '../samplers/controller.js';
import { loadControllerModel } from './controller-model.js';
import { deriveSeed } from '../core/rng.js';
import type { StudyPlan } from './compile.js';

const opt = <T>(key: string, v: T | undefined): Record<string, T> => (v === undefined ? {} : { [key]: v });

/**
 * The sampler a plan asks for (build it once per process: model-based samplers cache their fits). TPE, GP and
 * auto under a rung-based scheduler (successive halving, ASHA, Hyperband) become BOHB-style: fitted on the
 * highest rung with enough values (src/samplers/bohb.ts).
 */
export function createSampler(plan: StudyPlan): Sampler {
  const s = plan.sampler;
  const rungs = plan.rungSteps === null ? null : [...plan.rungSteps];
  const metric = plan.objective.metric;
  switch (s.type) {
    case 'grid':
      return gridSampler({ pointsPerAxis: s.points_per_axis, seeds: [...plan.trialSeeds], budget: plan.budget });
    case 'random':
      return randomSampler();
    case 'sobol':
      return new SobolSampler();
    case 'gp': {
      const gp = new GpSampler(s.startup !== undefined ? { nStartupTrials: s.startup } : {});
      return rungs ? new BohbSampler({ rungSteps: rungs, metric, inner: gp, minObservations: s.startup ?? 10 }) : gp;
    }
    case 'auto': {
      // The trial count lets auto end with re-evaluations (noisy objectives only); under a multi-fidelity
      // scheduler trials are not full trainings, so there it only searches.
      const auto = new AutoSampler({ ...opt('switchAt', s.switch_at), ...(rungs ? {} : { trials: s.trials }), ...opt('confirmShare', s.confirm) });
      return rungs ? new BohbSampler({ rungSteps: rungs, metric, inner: auto, minObservations: 10 }) : auto;
    }
    case 'controller': {
      const model = loadControllerModel(s.model, plan.space, plan.objective.direction, s.descriptors);
      // After the warm start: auto as `type: auto` builds it (BOHB-style under a rung-based scheduler), its GP phase
      // with the surrogate as prior mean under `prior_mean: true`.
      const auto = new AutoSampler({
        ...opt('switchAt', s.switch_at), ...(rungs ? {} : { trials: s.trials }), ...opt('confirmShare', s.confirm),
        ...(s.prior_mean === true ? { gp: { priorMean: surrogatePriorMean(model, s.descriptors) } } : {}),
      });
      const after = rungs ? new BohbSampler({ rungSteps: rungs, metric, inner: auto, minObservations: 10 }) : auto;
      return new ControllerSampler({
        model, trials: s.trials, after,
        ...opt('warm', s.warm), ...opt('candidates', s.candidates), ...opt('descriptors', s.descriptors), ...opt('start', s.start),
      });
    }
    case 'zones-nd':
      return new ZonesNdSampler({
        trials: s.trials,
        ...opt('initial', s.initial),
        ...opt('neighbours', s.neighbours),
        ...opt('maxZones', s.max_zones),
        ...opt('confirmTop', s.confirm_top),
        ...opt('confirmRepeats', s.confirm_repeats),
        ...opt('noiseBand', s.noise_band),
        seed: deriveSeed(plan.seed, 'zones-nd'),
      });
    case 'tpe': {
      const tpe: TpeOptions = { ...opt('multivariate', s.multivariate), ...opt('group', s.group), ...opt('nStartupTrials', s.startup) };
      return rungs ? new BohbSampler({ rungSteps: rungs, metric, tpe }) : new TpeSampler(tpe);
    }
    case 'nsga2':
      return new Nsga2Sampler({ ...opt('population', s.population), ...opt('crossover', s.crossover), ...opt('crossoverProb', s.crossover_prob), ...opt('mutationProb', s.mutation_prob) });
    case 'motpe':
      return new MotpeSampler({ ...opt('nStartupTrials', s.startup), ...opt('nEiCandidates', s.candidates) });
    case 'zones':
      // The zone strategy enqueues each stage's plan itself (src/study/zones-study.ts); its workers only claim.
      return { name: 'zones' };
  }
}

/** The scheduler (early stopping, multi-fidelity) a plan asks for; none by default. */
export function createScheduler(plan: StudyPlan): Scheduler | undefined {
  const sc = plan.scheduler;
  if (sc === undefined) return undefined;
  switch (sc.type) {
    case 'median':
      return new MedianStoppingScheduler({ ...opt('nStartupTrials', sc.startup_trials), ...opt('nWarmupSteps', sc.warmup_steps), ...opt('intervalSteps', sc.interval), ...opt('nMinTrials', sc.min_trials) });
    case 'successive-halving':
    case 'asha':
      return new SuccessiveHalvingScheduler({ name: sc.type, ...opt('minResource', sc.min_resource), ...opt('reductionFactor', sc.reduction_factor), ...opt('minEarlyStoppingRate', sc.min_early_stopping_rate) });
    case 'hyperband':
      // compile guarantees max_resource or budget.epochs. Brackets hashed from the study name as Optuna's HyperbandPruner does.
      return new HyperbandScheduler({ maxResource: sc.max_resource ?? plan.budget ?? 1, studyName: plan.name, ...opt('minResource', sc.min_resource), ...opt('reductionFactor', sc.reduction_factor) });
    case 'curve-extrapolation':
      return new CurveExtrapolationScheduler({
        model: loadControllerModel(sc.model, plan.space, plan.objective.direction, sc.descriptors, 'scheduler'),
        ...opt('threshold', sc.threshold), ...opt('descriptors', sc.descriptors),
      });
  }
}
