import { resolve } from 'node:path';
import { loadDataset, validateLoadOptions } from '../../datasets/load.js';
import type { DatasetRef } from '../../datasets/resolve.js';
import { describeError, InputError } from '../../core/errors.js';
import type { Metrics, Outcome } from '../../core/types.js';
import type { RunContext, Runner, TrialInput } from '../runner.js';
import { expectedBackend, resolveBackendChoice, type BackendChoice } from './backend.js';
import { readLayersModel } from './layers-model.js';
import { parseFnnParams } from './params.js';
import { WorkerPool, type JobEnd } from './pool.js';
import type { DatasetSettings } from './protocol.js';
import { EPOCH_METRICS } from './train.js';

/** Options of the built-in TF.js FNN trainer. */
export interface TfjsRunnerOptions {
  readonly dataset: DatasetRef;
  readonly trainLimit?: number;
  readonly testLimit?: number;
  /** Fraction of the training set used for validation (its last part, unshuffled); default 0.2. */
  readonly validationSplit?: number;
  /** Only these file labels, relabelled 0…k−1 in this order (datasets/load.ts). */
  readonly classes?: readonly number[];
  /** Fraction of each class's training (and validation) labels kept. */
  readonly labelFraction?: number;
  /** Evaluate the test set with the best epoch's weights at the end (test_accuracy, test_loss). */
  readonly evaluateTest?: boolean;
  /** Overridden by the environment variable HYPERZONE_TFJS_BACKEND. Default 'auto'. */
  readonly backend?: BackendChoice;
  /** Trials trained in parallel, one worker thread each. */
  readonly workers: number;
  /** Epoch metric whose best value is the trial's value: loss, accuracy, val_loss or val_accuracy. */
  readonly metric: string;
  readonly direction: 'maximize' | 'minimize';
  /** Seconds a worker gets to stop after an abort before it is terminated; default 5. */
  readonly abortGraceSeconds?: number;
  /** A TF.js Layers model directory every trial fine-tunes (the fine-tuning params then apply). */
  readonly baseModel?: string;
  /** Save each completed trial's network (best epoch) to `dir`/trial-<number>/ (model.json, weights.bin). */
  readonly saveModels?: { readonly dir: string; readonly study: string };
}

/** The built-in trainer as a Runner, with its worker pool and chosen backend. */
export interface TfjsRunner extends Runner {
  /** 'tensorflow', 'wasm' or 'cpu': the backend the workers use (expected until a trial has run). */
  readonly backend: string;
}

const OPTIMISABLE = EPOCH_METRICS.filter((m) => m === 'loss' || m === 'accuracy' || m === 'val_loss' || m === 'val_accuracy');

/**
 * Creates the built-in TF.js trainer: each trial trains an FNN on MNIST-like IDX data in a worker
 * thread of a pool of `workers`. After each epoch it reports loss, accuracy, val_loss,
 * val_accuracy, lr, epoch_seconds and images_per_second; the outcome's value is the best epoch's
 * `metric`, and its metrics hold best_epoch, that metric, parameters, train_seconds,
 * epochs_completed and (with evaluateTest) test_loss and test_accuracy.
 */
export function createTfjsRunner(options: TfjsRunnerOptions): TfjsRunner {
  const choice = resolveBackendChoice(options.backend);
  if (!Number.isInteger(options.workers) || options.workers < 1) {
    throw new InputError(`Expected \`workers\` to be an integer ≥ 1, got ${JSON.stringify(options.workers)}`);
  }
  if (!(OPTIMISABLE as readonly string[]).includes(options.metric)) {
    throw new InputError(`Expected \`metric\` to be one of ${OPTIMISABLE.join(', ')} for the tfjs trainer, got ${JSON.stringify(options.metric)}`);
  }
  if (options.direction !== 'maximize' && options.direction !== 'minimize') {
    throw new InputError(`Expected \`direction\` to be maximize or minimize, got ${JSON.stringify(options.direction)}`);
  }
  const data: DatasetSettings = {
    dataset: options.dataset,
    ...(options.trainLimit !== undefined ? { trainLimit: options.trainLimit } : {}),
    ...(options.testLimit !== undefined ? { testLimit: options.testLimit } : {}),
    ...(options.validationSplit !== undefined ? { validationSplit: options.validationSplit } : {}),
    ...(options.classes !== undefined ? { classes: options.classes } : {}),
    ...(options.labelFraction !== undefined ? { labelFraction: options.labelFraction } : {}),
  };
  validateLoadOptions(data);
  if (options.validationSplit === 0 && options.metric.startsWith('val_')) {
    throw new InputError(`Metric \`${options.metric}\` needs a validation set, but \`validationSplit\` is 0`);
  }
  const graceMs = (options.abortGraceSeconds ?? 5) * 1000;
  const baseModel = options.baseModel === undefined ? undefined : resolve(options.baseModel);
  let backend: string = expectedBackend(choice);
  let pool: WorkerPool | null = null;

  const toOutcome = (end: JobEnd, lastEpoch: number, lastValue: number | undefined): Outcome => {
    switch (end.type) {
      case 'done': {
        backend = end.backend;
        const r = end.result;
        if (r.state === 'complete') return { state: 'complete', value: r.value, metrics: r.metrics };
        if (r.state === 'stopped') {
          return { state: 'pruned', step: r.epoch, ...(r.value !== null ? { value: r.value } : {}), metrics: r.metrics };
        }
        return { state: 'failed', error: r.error, retryable: false, metrics: r.metrics };
      }
      case 'error':
        if (end.backend !== null) backend = end.backend;
        return { state: 'failed', error: end.message, retryable: false };
      case 'crashed':
        return {
          state: 'failed',
          error: end.outOfMemory ? `${end.message} (out of memory)` : end.message,
          retryable: !end.outOfMemory,
        };
      case 'terminated':
        return { state: 'pruned', step: lastEpoch, ...(lastValue !== undefined ? { value: lastValue } : {}) };
    }
  };

  return {
    get name() {
      return `tfjs (${backend})`;
    },
    get backend() {
      return backend;
    },
    async prepare() {
      // Fails the study at its start when the dataset is missing or corrupt, or the base model unreadable or
      // unsupported (naming the layer); workers load their own copies.
      loadDataset(options.dataset, data);
      if (baseModel !== undefined) readLayersModel(baseModel);
    },
    async run(trial: TrialInput, ctx: RunContext): Promise<Outcome> {
      try {
        parseFnnParams(trial.params, trial.budget, baseModel !== undefined);
      } catch (e) {
        return { state: 'failed', error: describeError(e), retryable: false };
      }
      if (ctx.signal.aborted) return { state: 'pruned', step: 0 };
      pool ??= new WorkerPool(options.workers, choice);
      let lastEpoch = 0;
      let best: number | undefined;
      let reporting: Promise<void> = Promise.resolve();
      const job = await pool.run(
        {
          params: trial.params,
          seed: trial.seed,
          budget: trial.budget,
          data,
          metric: options.metric,
          direction: options.direction,
          evaluateTest: trial.evaluateTest ?? options.evaluateTest ?? false,
          ...(baseModel !== undefined ? { baseModel } : {}),
          ...(options.saveModels !== undefined
            ? { saveTo: { dir: resolve(options.saveModels.dir, `trial-${trial.number}`), metadata: { study: options.saveModels.study, trial: trial.number, ...(baseModel !== undefined ? { base_model: baseModel } : {}) } } }
            : {}),
        },
        (m) => {
          if (m.type === 'epoch') {
            lastEpoch = m.epoch;
            const v = m.metrics[options.metric];
            if (v !== undefined && Number.isFinite(v) && (best === undefined || (options.direction === 'maximize' ? v > best : v < best))) best = v;
            const metrics: Metrics = m.metrics;
            // Reports are chained so storage sees epochs in order and before the outcome.
            reporting = reporting.then(() => ctx.report(m.epoch, metrics));
          } else if (m.type === 'progress') {
            ctx.progress?.({ step: m.epoch, steps: trial.budget ?? m.epoch, batch: m.batch, batches: m.batches });
          }
        },
      );
      const onAbort = (): void => job.abort(graceMs);
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener('abort', onAbort, { once: true });
      try {
        const end = await job.done;
        await reporting;
        return toOutcome(end, lastEpoch, best);
      } finally {
        ctx.signal.removeEventListener('abort', onAbort);
      }
    },
    async close() {
      await pool?.close();
      pool = null;
    },
  };
}
