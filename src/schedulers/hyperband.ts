import { crc32 } from 'node:zlib';
import { InputError } from '../core/errors.js';
import type { TrialRecord } from '../core/types.js';
import { deriveSeed } from '../core/rng.js';
import type { Decision, Scheduler, SchedulerContext } from './scheduler.js';
import { SuccessiveHalvingScheduler } from './successive-halving.js';

/** Options of Hyperband; names and defaults follow Optuna's HyperbandPruner. */
export interface HyperbandOptions {
  /** Steps of the smallest rung of the most aggressive bracket (default 1). */
  readonly minResource?: number;
  /** The full budget of a trial (epochs). */
  readonly maxResource: number;
  /** η (default 3). */
  readonly reductionFactor?: number;
  /** When given, brackets follow Optuna's hash exactly: crc32("<studyName>_<number>") (for parity checks). */
  readonly studyName?: string;
}

/**
 * Hyperband (Li et al. 2018) as Optuna's HyperbandPruner runs it: ⌊log_η(max/min)⌋ + 1 brackets of
 * asynchronous successive halving; bracket b's first rung is at minResource·η^b. Each trial belongs to
 * one bracket, chosen deterministically from its number (a hash, weighted by each bracket's trial
 * budget ⌈B·η^s/(s+1)⌉ as in Optuna; Optuna's own crc32 hash when `studyName` is given), and competes
 * only with trials of its bracket.
 */
export class HyperbandScheduler implements Scheduler {
  readonly name = 'hyperband';
  readonly minResource: number;
  readonly maxResource: number;
  readonly reductionFactor: number;
  /** One successive-halving scheduler per bracket, most aggressive first. */
  readonly brackets: readonly SuccessiveHalvingScheduler[];
  private readonly allocation: readonly number[];
  private readonly studyName: string | undefined;

  constructor(options: HyperbandOptions) {
    const min = options.minResource ?? 1;
    const eta = options.reductionFactor ?? 3;
    if (!Number.isInteger(min) || min < 1) throw new InputError(`Expected \`min_resource\` to be an integer ≥ 1, got ${min}`);
    if (!Number.isInteger(eta) || eta < 2) throw new InputError(`Expected \`reduction_factor\` to be an integer ≥ 2, got ${eta}`);
    if (!Number.isInteger(options.maxResource) || options.maxResource < min) throw new InputError(`Expected \`max_resource\` to be an integer ≥ min_resource (${min}), got ${options.maxResource}`);
    this.minResource = min;
    this.maxResource = options.maxResource;
    this.reductionFactor = eta;
    this.studyName = options.studyName;
    // Small epsilon: log(27)/log(3) is 3.0000000000000004 or 2.9999999999999996 depending on rounding.
    const n = Math.floor(Math.log(this.maxResource / min) / Math.log(eta) + 1e-9) + 1;
    this.allocation = Array.from({ length: n }, (_, b) => Math.ceil((n * eta ** (n - 1 - b)) / (n - b)));
    this.brackets = Array.from({ length: n }, (_, b) => new SuccessiveHalvingScheduler({
      minResource: min,
      reductionFactor: eta,
      minEarlyStoppingRate: b,
      name: `hyperband[${b}]`,
      peers: (t) => this.bracketOf(t.number) === b,
    }));
  }

  /** The bracket (0 = most aggressive) a trial number belongs to. */
  bracketOf(trialNumber: number): number {
    const total = this.allocation.reduce((a, b) => a + b, 0);
    const hash = this.studyName === undefined ? deriveSeed(0, 'hyperband', trialNumber) : crc32(`${this.studyName}_${trialNumber}`);
    let r = hash % total;
    for (let b = 0; b < this.allocation.length; b++) {
      r -= this.allocation[b] as number;
      if (r < 0) return b;
    }
    return this.allocation.length - 1;
  }

  /** Every rung step of every bracket, ascending and capped at maxResource (BOHB fits its model on these). */
  rungSteps(): number[] {
    const out = new Set<number>();
    for (let k = 0; this.minResource * this.reductionFactor ** k <= this.maxResource; k++) out.add(this.minResource * this.reductionFactor ** k);
    out.add(this.maxResource);
    return [...out].sort((a, b) => a - b);
  }

  /** Delegates to the successive-halving rule of the trial's bracket. */
  onReport(trial: TrialRecord, step: number, value: number, ctx: SchedulerContext): Promise<Decision> {
    return (this.brackets[this.bracketOf(trial.number)] as SuccessiveHalvingScheduler).onReport(trial, step, value, ctx);
  }
}
