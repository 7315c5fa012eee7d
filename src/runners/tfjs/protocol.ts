import type { DatasetRef } from '../../datasets/resolve.js';
import type { Metrics, Params } from '../../core/types.js';
import type { BackendChoice } from './backend.js';
import type { TrainResult } from './train.js';

/** Which data a worker trains on; equal settings let a worker reuse its cached dataset. */
export interface DatasetSettings {
  readonly dataset: DatasetRef;
  readonly trainLimit?: number;
  readonly testLimit?: number;
  readonly validationSplit?: number;
  /** A class subset (file labels, relabelled 0…k−1) and the fraction of labels kept: datasets/load.ts. */
  readonly classes?: readonly number[];
  readonly labelFraction?: number;
}

/** Sent once when a worker starts (workerData). */
export interface WorkerInit {
  readonly backend: BackendChoice;
  /** Int32Array(1) over a SharedArrayBuffer: the main thread sets 1 to stop the current trial between batches. */
  readonly abortFlag: SharedArrayBuffer;
}

/** Main thread → worker: train one trial. */
export interface RunMessage {
  readonly type: 'run';
  readonly id: number;
  readonly params: Params;
  readonly seed: number;
  readonly budget: number | null;
  readonly data: DatasetSettings;
  readonly metric: string;
  readonly direction: 'maximize' | 'minimize';
  readonly evaluateTest: boolean;
  /** A TF.js Layers model directory to fine-tune (absolute). */
  readonly baseModel?: string;
  /** Where to save the trained network (absolute directory), with what to record in its model.json. */
  readonly saveTo?: { readonly dir: string; readonly metadata: Readonly<Record<string, unknown>> };
}

/** Worker → main thread messages. */
export type WorkerMessage =
  | { readonly type: 'epoch'; readonly id: number; readonly epoch: number; readonly metrics: Metrics }
  | { readonly type: 'progress'; readonly id: number; readonly epoch: number; readonly batch: number; readonly batches: number }
  | { readonly type: 'done'; readonly id: number; readonly backend: string; readonly result: TrainResult }
  | { readonly type: 'error'; readonly id: number; readonly backend: string | null; readonly message: string; readonly input: boolean };

/** A stable cache key of dataset settings. */
export function datasetKey(d: DatasetSettings): string {
  return JSON.stringify([d.dataset, d.trainLimit ?? null, d.testLimit ?? null, d.validationSplit ?? null, d.classes ?? null, d.labelFraction ?? null]);
}
