import { TpeSampler, type TpeOptions } from './tpe.js';
import type { Sampler, SamplerContext } from './sampler.js';
import type { Params, TrialRecord } from '../core/types.js';
import { rungValue } from '../schedulers/rungs.js';

/** Options of the BOHB-style sampler. */
export interface BohbOptions {
  /** Rung steps, ascending (HyperbandScheduler.rungSteps() or a successive-halving ladder). */
  readonly rungSteps: readonly number[];
  /** The study's objective metric (the value stored in steps). */
  readonly metric: string;
  /** Options of the inner TPE (its nStartupTrials also sets the fewest observations a rung needs). */
  readonly tpe?: TpeOptions;
  /** Another model to fit on rung values instead of TPE (e.g. GpSampler); it sees complete trials with rung values. */
  readonly inner?: Sampler;
  /** The fewest values a rung needs to be fitted on (default: tpe.nStartupTrials ?? 10, at least dims + 2). */
  readonly minObservations?: number;
}

/**
 * BOHB (Falkner et al. 2018) with TPE as the model: each proposal fits TPE on the highest rung that has
 * at least max(nStartupTrials, dims + 2) observations, with each trial's value at that rung as its
 * value (pruned trials count at every rung they reached). Trials stopped below that rung stay in as
 * pruned, which TPE ranks below every trial with a value at the rung (later stops rank higher), so the
 * bad side of the model still knows where early stops happened (for an `inner` model such as GP, which
 * learns only from values, they count as the rung's worst value); running ones stay in as constant liars. We chose "highest rung with enough data"
 * (the BOHB paper's
 * rule) over "same bracket only": it pools every bracket's evidence, and with Hyperband most trials end
 * pruned, which a plain TPE could only rank below every complete trial.
 */
export class BohbSampler implements Sampler {
  readonly name: string;
  private readonly inner: Sampler;
  private readonly minObs: number;

  constructor(private readonly options: BohbOptions) {
    this.inner = options.inner ?? new TpeSampler(options.tpe ?? {});
    this.name = options.inner ? `${options.inner.name}+rungs` : 'bohb';
    this.minObs = options.minObservations ?? options.tpe?.nStartupTrials ?? 10;
  }

  /** The rung whose values the model is fitted on, or null before any rung has enough. */
  fittingRung(trials: readonly TrialRecord[], dims: number): number | null {
    const need = Math.max(this.minObs, dims + 2, 1);
    for (let i = this.options.rungSteps.length - 1; i >= 0; i--) {
      const r = this.options.rungSteps[i] as number;
      let n = 0;
      for (const t of trials) if ((t.state === 'complete' || t.state === 'pruned') && rungValue(t, r, this.options.metric) !== undefined) n++;
      if (n >= need) return r;
    }
    return null;
  }

  /**
   * Each trial as the model sees it at a rung, kept by trial while its rung and value stay the same: the study's
   * trials come back as the same frozen snapshots from proposal to proposal, and a copy of each (1,000 at 1,000
   * trials) at every proposal was most of a GP+rungs proposal's garbage.
   */
  private readonly views = new WeakMap<TrialRecord, { rung: number; value: number | null; view: TrialRecord }>();

  /**
   * The trial at the rung: complete with its value there; stopped below it, complete with `stoppedValue` when that
   * is given, else pruned (which TPE ranks below every value at the rung).
   */
  private atRung(t: TrialRecord, rung: number, v: number | undefined, stoppedValue: number | null): TrialRecord {
    const value = v ?? stoppedValue;
    const kept = this.views.get(t);
    if (kept !== undefined && kept.rung === rung && Object.is(kept.value, value)) return kept.view;
    const view: TrialRecord = value !== null ? { ...t, state: 'complete', value } : { ...t, state: 'pruned', value: null };
    this.views.set(t, { rung, value, view });
    return view;
  }

  /** Proposes with TPE fitted on the chosen rung's values (random before any rung has enough). */
  sample(ctx: SamplerContext): { params: Params; attrs: Readonly<Record<string, unknown>> } {
    const rung = this.fittingRung(ctx.trials, ctx.space.names.length);
    if (rung === null) return { params: ctx.space.sample(ctx.rng), attrs: { 'bohb.rung': null } };
    const values = new Array<number | undefined>(ctx.trials.length);
    let worst: number | null = null;
    ctx.trials.forEach((t, i) => {
      if (t.state !== 'complete' && t.state !== 'pruned') return;
      const v = rungValue(t, rung, this.options.metric);
      values[i] = v;
      if (v !== undefined && (worst === null || (ctx.direction === 'maximize' ? v < worst : v > worst))) worst = v;
    });
    // Other models (GP) only learn from values: a trial stopped below the rung counts as the rung's worst value.
    const stoppedValue = this.options.inner ? worst : null;
    const view: TrialRecord[] = [];
    ctx.trials.forEach((t, i) => {
      if (t.state === 'running' || t.state === 'waiting') view.push(t);
      else if (t.state === 'complete' || t.state === 'pruned') view.push(this.atRung(t, rung, values[i], stoppedValue));
    });
    const proposal = this.inner.sample?.({ ...ctx, trials: view });
    return { params: proposal ? proposal.params : ctx.space.sample(ctx.rng), attrs: { 'bohb.rung': rung } };
  }
}
