import type { Direction, Params, TrialRecord } from '../core/types.js';
import type { Scheduler, TrialSource } from './scheduler.js';
import { trialSourceOf } from './trial-source.js';

/** What one simulated trial did. */
export interface SimulatedTrial {
  readonly record: TrialRecord;
  /** Steps (epochs) it ran. */
  readonly steps: number;
  readonly stopped: boolean;
}

/**
 * Drives a scheduler without storage or engine, for benchmarks: trials run one after another, each
 * reporting step by step; a 'stop' ends it as pruned. Records are kept so later trials see earlier ones.
 */
export class SimulatedStudy {
  /** Every trial so far, in number order (pass it as a sampler's `trials`). */
  readonly trials: TrialRecord[] = [];
  /** Steps run by all trials together. */
  epochsUsed = 0;

  /** The trials as an incremental source, as the engine gives the scheduler one (trial id = number + 1 here). */
  private readonly source: TrialSource = trialSourceOf(async (from, ids) => [
    ...this.trials.slice(from),
    ...ids.map((id) => this.trials[id - 1]).filter((t): t is TrialRecord => t !== undefined && t.number < from),
  ]);

  constructor(private readonly scheduler: Scheduler | undefined, readonly direction: Direction, readonly metric = 'value') {}

  /**
   * Runs one trial: `curve(step)` is its value after `step` (1-based) steps, up to `budget` steps.
   * The final value of a completed trial is its value at the last step.
   */
  async run(params: Params, curve: (step: number) => number, budget: number, attrs: Readonly<Record<string, unknown>> = {}): Promise<SimulatedTrial> {
    const number = this.trials.length;
    const steps: { step: number; metrics: Record<string, number>; at: number }[] = [];
    let record: TrialRecord = {
      id: number + 1, studyId: 1, number, state: 'running', params, seed: number, budget, value: null, metrics: {},
      steps, attrs, error: null, workerId: 'sim', attempts: 1, createdAt: 0, startedAt: 0, finishedAt: null, heartbeatAt: null,
    };
    this.trials.push(record);
    let stopped = false;
    let last = NaN;
    for (let s = 1; s <= budget; s++) {
      last = curve(s);
      steps.push({ step: s, metrics: { [this.metric]: last }, at: s });
      this.epochsUsed++;
      if (this.scheduler) {
        const d = await this.scheduler.onReport(record, s, last, {
          direction: this.direction, metric: this.metric, trials: async () => this.trials, source: this.source,
        });
        if (d === 'stop') { stopped = true; break; }
      }
    }
    record = stopped
      ? { ...record, state: 'pruned', finishedAt: 1 }
      : { ...record, state: 'complete', value: last, finishedAt: 1 };
    this.trials[number] = record;
    return { record, steps: steps.length, stopped };
  }
}
