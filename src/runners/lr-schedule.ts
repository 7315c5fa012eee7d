import { InputError } from '../core/errors.js';

/** A parsed learning-rate schedule: constant, step decay, or reduce-on-plateau. */
export type LrScheduleSpec =
  | { readonly kind: 'none' }
  | { readonly kind: 'step'; readonly every: number; readonly factor: number }
  | { readonly kind: 'plateau'; readonly patience: number; readonly factor: number };

/** Default multiplicative factor of `step` and `plateau` schedules (halving). */
export const DEFAULT_LR_FACTOR = 0.5;

function bad(value: unknown, why: string): InputError {
  return new InputError(
    `Expected \`lr_schedule\` to be 'none', 'step:N[:F]' or 'plateau:P[:F]' (N, P integers ≥ 1, 0 < F < 1), got ${JSON.stringify(value)}: ${why}`,
    { code: 'INVALID_PARAM' },
  );
}

/** Parses 'none', 'step:7', 'plateau:3', with an optional factor 'step:7:0.5' (default 0.5). */
export function parseLrSchedule(value: unknown): LrScheduleSpec {
  if (typeof value !== 'string') throw bad(value, 'not a string');
  const s = value.trim();
  if (s === 'none' || s === '') return { kind: 'none' };
  const parts = s.split(':');
  const [kind, nStr, fStr, ...rest] = parts;
  if (kind !== 'step' && kind !== 'plateau') throw bad(value, `unknown kind ${JSON.stringify(kind)}`);
  if (rest.length > 0) throw bad(value, 'too many parts');
  const n = Number(nStr);
  if (nStr === undefined || nStr === '' || !Number.isInteger(n) || n < 1) throw bad(value, `${kind === 'step' ? 'step size' : 'patience'} must be an integer ≥ 1`);
  let factor = DEFAULT_LR_FACTOR;
  if (fStr !== undefined) {
    factor = Number(fStr);
    if (fStr === '' || !Number.isFinite(factor) || factor <= 0 || factor >= 1) throw bad(value, 'factor must be in (0, 1)');
  }
  return kind === 'step' ? { kind, every: n, factor } : { kind, patience: n, factor };
}

/** Stateful learning-rate schedule of one training run: feed each epoch's validation metric, get the next lr. */
export class LrSchedule {
  private lr: number;
  private best: number | null = null;
  private sinceBest = 0;
  private epochs = 0;

  constructor(
    readonly spec: LrScheduleSpec,
    readonly initialLr: number,
    /** Whether a larger validation metric is better (plateau only). */
    readonly direction: 'maximize' | 'minimize' = 'maximize',
  ) {
    this.lr = initialLr;
  }

  /** The learning rate to use for the coming epoch. */
  get current(): number {
    return this.lr;
  }

  /** Records a finished epoch's validation metric and returns the lr for the next epoch. */
  update(metric: number): number {
    this.epochs++;
    const spec = this.spec;
    if (spec.kind === 'step') {
      if (this.epochs % spec.every === 0) this.lr *= spec.factor;
    } else if (spec.kind === 'plateau') {
      const improved =
        Number.isFinite(metric) && (this.best === null || (this.direction === 'maximize' ? metric > this.best : metric < this.best));
      if (improved) {
        this.best = metric;
        this.sinceBest = 0;
      } else if (++this.sinceBest >= spec.patience) {
        this.lr *= spec.factor;
        this.sinceBest = 0; // like Keras' ReduceLROnPlateau (cooldown 0): wait another `patience` epochs
      }
    }
    return this.lr;
  }
}

/** Parses a schedule string and creates its stateful schedule starting at `initialLr`. */
export function createLrSchedule(value: unknown, initialLr: number, direction: 'maximize' | 'minimize' = 'maximize'): LrSchedule {
  return new LrSchedule(parseLrSchedule(value), initialLr, direction);
}
