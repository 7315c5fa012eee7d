import type { Metrics, Outcome, Params } from '../core/types.js';

/** What a runner is given to execute one trial. */
export interface TrialInput {
  readonly trialId: number;
  readonly number: number;
  readonly params: Params;
  readonly seed: number;
  /** Epochs (or other budget unit); null when the objective has none. */
  readonly budget: number | null;
  /** Whether this trial may read the test set (the zone strategy's confirmation runs); trainers evaluate it at the end. */
  readonly evaluateTest?: boolean;
}

/** Callbacks and signals a runner receives while a trial runs. */
export interface RunContext {
  /** Report a step's metrics (after each epoch). May be awaited; storage writes happen here. */
  report(step: number, metrics: Metrics): void | Promise<void>;
  /** Progress inside a step (batches), for progress bars only; never stored. */
  progress?(info: { step: number; steps: number; batch: number; batches: number }): void;
  /** Aborted when the scheduler stops the trial, at a timeout, or when the study is interrupted. */
  readonly signal: AbortSignal;
  /**
   * For runners with `marksStart`: awaited right before the trial's own code starts (a process is spawned), which
   * is when the trial's attempt counts. If the signal is aborted afterwards, the trial must not start.
   */
  starting?(): Promise<void>;
}

/** Executes one trial. Implementations: the built-in TF.js trainer, the command runner, a user objective. */
export interface Runner {
  /** A short description for logs ("tfjs (wasm)", "command python3 train.py"). */
  readonly name: string;
  /** Checks once, at study start, that trials can run at all (command exists, dataset readable). */
  prepare?(): Promise<void>;
  run(trial: TrialInput, ctx: RunContext): Promise<Outcome>;
  /**
   * Whether `run` calls `ctx.starting()` itself, later than it is called (after waiting for a GPU slot, say).
   * Otherwise the trial counts as started when `run` is called.
   */
  readonly marksStart?: boolean;
  /** Releases worker threads, processes, files. */
  close?(): Promise<void>;
}

/** Picks the objective value from per-step metrics: the best step's metric in the given direction. */
export function bestStep(
  steps: readonly { step: number; metrics: Metrics }[],
  metric: string,
  direction: 'maximize' | 'minimize',
): { step: number; value: number; metrics: Metrics } | null {
  let best: { step: number; value: number; metrics: Metrics } | null = null;
  for (const s of steps) {
    const v = s.metrics[metric];
    if (v === undefined || !Number.isFinite(v)) continue;
    if (best === null || (direction === 'maximize' ? v > best.value : v < best.value)) {
      best = { step: s.step, value: v, metrics: s.metrics };
    }
  }
  return best;
}
