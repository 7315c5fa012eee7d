import { InputError } from '../core/errors.js';
import type { TrialRecord } from '../core/types.js';
import type { Surrogate } from '../controller/surrogate.js';
import type { Decision, Scheduler, SchedulerContext } from './scheduler.js';
import { IncrementalState } from './trial-source.js';
import { withReport } from './rungs.js';

/** Options of the learned curve-extrapolation scheduler. */
export interface CurveExtrapolationOptions {
  /** The controller's surrogate (a model file loaded with `Surrogate.load`), trained on this objective's metric and space. */
  readonly model: Surrogate;
  /** Stop when the predicted probability of beating the incumbent is below this (default 0.05). */
  readonly threshold?: number;
  /** Descriptors of this study's task (the model's descriptor inputs), when it has any. */
  readonly descriptors?: Readonly<Record<string, number>>;
}

/** Why a trial was stopped: stored in its attrs as `controller.stop` (and kept in `stops`). */
export interface StopReason {
  readonly step: number;
  /** The predicted final value (mixture mean) and its central 95 % interval. */
  readonly predicted: number;
  readonly lo95: number;
  readonly hi95: number;
  /** The best complete trial's value it was compared with. */
  readonly incumbent: number;
  /** The predicted probability that the final value beats the incumbent. */
  readonly pBetter: number;
}

/**
 * Learning-curve extrapolation with the controller's surrogate (issue 16): at the model's checkpoint steps (1, 2, 3,
 * 4, 6, 8, 12, … of the budget) it predicts the trial's final value from its params and its curve so far, and stops
 * the trial when the probability that it beats the best complete trial is below `threshold` — a confident loss,
 * not a rank. The reason (prediction, 95 % interval, incumbent, probability) goes into the trial's attrs as
 * `controller.stop`. Not a default: use it where a model trained on similar tasks exists.
 */
export class CurveExtrapolationScheduler implements Scheduler {
  readonly name = 'curve-extrapolation';
  readonly threshold: number;
  /** Every stop this scheduler decided in this process, by trial id. */
  readonly stops = new Map<number, StopReason>();
  private readonly model: Surrogate;
  private readonly descriptors: Readonly<Record<string, number>>;

  constructor(options: CurveExtrapolationOptions) {
    const th = options.threshold ?? 0.05;
    if (!(th > 0 && th < 1)) throw new InputError(`Expected \`threshold\` to be a probability in (0, 1), got ${th}`);
    this.threshold = th;
    this.model = options.model;
    this.descriptors = options.descriptors ?? {};
  }

  /** The best complete value per study, updated from the trials that changed since the previous report. */
  private readonly best = new IncrementalState<{ value: number | null; sign: number }>(
    (ctx) => ({ value: null, sign: ctx.direction === 'maximize' ? 1 : -1 }),
    (s, t) => {
      if (t.state === 'complete' && t.value !== null && Number.isFinite(t.value) && (s.value === null || s.sign * t.value > s.sign * s.value)) s.value = t.value;
    },
  );

  async onReport(trial: TrialRecord, step: number, value: number, ctx: SchedulerContext): Promise<Decision> {
    const budget = trial.budget;
    if (budget === null || step >= budget || !this.model.checkpointSteps(budget).includes(step)) return 'continue';
    if (ctx.direction !== this.model.direction) throw new InputError(`The controller model was trained to ${this.model.direction} its target, this study's objective is to ${ctx.direction}`);
    const { state, latest } = await this.best.refreshed(ctx);
    if (state.value === null) return 'continue';
    const own = withReport(latest(trial.id) ?? trial, step, value, ctx.metric);
    const curve = curveOf(own, ctx.metric, step);
    const m = this.model.predict(trial.params, curve, budget, this.descriptors);
    const pBetter = m.probabilityBetter(state.value, ctx.direction);
    if (pBetter >= this.threshold) return 'continue';
    const [lo95, hi95] = m.interval(0.95);
    const reason: StopReason = { step, predicted: m.mean, lo95, hi95, incumbent: state.value, pBetter };
    this.stops.set(trial.id, reason);
    await ctx.note?.({ 'controller.stop': reason });
    return 'stop';
  }
}

/** The metric after steps 1..upTo (a step without a report repeats the previous value). */
function curveOf(t: TrialRecord, metric: string, upTo: number): number[] {
  const at = new Map<number, number>();
  for (const s of t.steps) {
    const v = s.metrics[metric];
    if (v !== undefined && Number.isFinite(v)) at.set(s.step, v);
  }
  const out: number[] = [];
  let last = NaN;
  for (let k = 1; k <= upTo; k++) {
    const v = at.get(k);
    if (v !== undefined) last = v;
    out.push(Number.isNaN(last) ? (at.get(upTo) as number) : last);
  }
  return out;
}
