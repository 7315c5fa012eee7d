import { describeError, TrialPruned } from '../core/errors.js';
import type { Runner, TrialInput } from '../runners/runner.js';
import { fixedSuggestions, type Suggestions } from './suggest.js';
import type { Metrics, Outcome, Params } from '../core/types.js';

/**
 * What a user's objective function receives for one trial. `suggestInt/Float/Categorical` ask for a parameter
 * (define-by-run, on a study created without `space`); on a study with a space they return the trial's value.
 */
export interface ObjectiveTrial extends Suggestions {
  readonly number: number;
  readonly params: Params;
  readonly seed: number;
  readonly budget: number | null;
  /** Records an intermediate value (a number is stored under the study's metric); throws TrialPruned once the trial is stopped. */
  report(step: number, metrics: Metrics | number): Promise<void>;
  /** Aborted when the study is interrupted or the trial is stopped. */
  readonly signal: AbortSignal;
}

/** What an objective returns: its value, or (multi-objective study) one value per objective, with optional extra metrics. */
export type ObjectiveResult = number | readonly number[] | { value: number; metrics?: Metrics } | { values: readonly number[]; metrics?: Metrics };
/** A user objective: returns the value, or the value with extra metrics (an array of values in a multi-objective study). Throw TrialPruned to stop early. */
export type Objective = (trial: ObjectiveTrial) => ObjectiveResult | Promise<ObjectiveResult>;

/**
 * The outcome of an objective's result in a study of `nObjectives` objectives: one number per objective, finite;
 * a wrong count or a non-finite value is a failed trial saying so.
 */
export function outcomeOfResult(r: ObjectiveResult, nObjectives: number): Outcome {
  const values = typeof r === 'number' ? [r] : isValues(r) ? r : 'values' in r ? r.values : [r.value];
  const metrics = typeof r === 'object' && !isValues(r) && r.metrics ? { metrics: r.metrics } : {};
  if (values.length !== nObjectives) {
    return { state: 'failed', error: `objective returned ${values.length} value${values.length === 1 ? '' : 's'}, the study has ${nObjectives} objective${nObjectives === 1 ? '' : 's'}` };
  }
  const bad = values.find((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad !== undefined) return { state: 'failed', error: `objective returned a non-finite value: ${bad}` };
  const value = values[0] as number;
  return nObjectives === 1 ? { state: 'complete', value, ...metrics } : { state: 'complete', value, values: [...values], ...metrics };
}

function isValues(r: ObjectiveResult): r is readonly number[] {
  return Array.isArray(r);
}

/** Wraps a user objective function as a Runner, so it runs through the same engine as trainers. */
export function objectiveRunner(
  fn: Objective, metric: string, suggestionsFor: (trial: TrialInput) => Suggestions = (t) => fixedSuggestions(t.params), nObjectives = 1,
): Runner {
  return {
    name: 'objective',
    async run(trial, ctx): Promise<Outcome> {
      let lastStep = 0;
      let lastValue: number | undefined;
      try {
        const suggest = suggestionsFor(trial);
        const r = await fn({
          suggestInt: (name, low, high, o) => suggest.suggestInt(name, low, high, o),
          suggestFloat: (name, low, high, o) => suggest.suggestFloat(name, low, high, o),
          suggestCategorical: (name, choices) => suggest.suggestCategorical(name, choices),
          number: trial.number,
          params: trial.params,
          seed: trial.seed,
          budget: trial.budget,
          signal: ctx.signal,
          report: async (step, m) => {
            const metrics = typeof m === 'number' ? { [metric]: m } : m;
            lastStep = step;
            lastValue = metrics[metric];
            await ctx.report(step, metrics);
            // A scheduler's stop (or an interrupt) ends the objective at its next report, as Optuna's should_prune does.
            if (ctx.signal.aborted) throw new TrialPruned(`stopped at step ${step}`);
          },
        });
        return outcomeOfResult(r, nObjectives);
      } catch (e) {
        if (e instanceof TrialPruned) return { state: 'pruned', step: lastStep, ...(lastValue !== undefined ? { value: lastValue } : {}) };
        return { state: 'failed', error: describeError(e) };
      }
    },
  };
}
