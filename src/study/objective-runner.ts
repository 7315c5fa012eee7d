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

/** A user objective: returns the value, or the value with extra metrics. Throw TrialPruned to stop early. */
export type Objective = (trial: ObjectiveTrial) => number | { value: number; metrics?: Metrics } | Promise<number | { value: number; metrics?: Metrics }>;

/** Wraps a user objective function as a Runner, so it runs through the same engine as trainers. */
export function objectiveRunner(fn: Objective, metric: string, suggestionsFor: (trial: TrialInput) => Suggestions = (t) => fixedSuggestions(t.params)): Runner {
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
        const value = typeof r === 'number' ? r : r.value;
        if (!Number.isFinite(value)) return { state: 'failed', error: `objective returned a non-finite value: ${value}` };
        return typeof r === 'number' ? { state: 'complete', value } : { state: 'complete', value, ...(r.metrics ? { metrics: r.metrics } : {}) };
      } catch (e) {
        if (e instanceof TrialPruned) return { state: 'pruned', step: lastStep, ...(lastValue !== undefined ? { value: lastValue } : {}) };
        return { state: 'failed', error: describeError(e) };
      }
    },
  };
}
