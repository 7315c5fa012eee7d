import { DatasetError, InputError } from '../core/errors.js';
import { readIdxImages, readIdxLabels } from './idx.js';
import { resolveDataset, type DatasetFiles, type DatasetRef } from './resolve.js';

/** One split: `count` examples of `features` Float32 pixels in [0,1] each, with Uint8 labels. */
export interface Split {
  readonly count: number;
  readonly x: Float32Array;
  readonly y: Uint8Array;
}

/** A loaded image-classification dataset, split into train / validation / test. */
export interface Dataset {
  readonly name: string;
  readonly files: DatasetFiles;
  /** Pixels per image (rows × cols). */
  readonly features: number;
  readonly rows: number;
  readonly cols: number;
  readonly numClasses: number;
  /** The file label of each class index: [0, 1, …, 9], or the `classes` chosen (class i is file label classes[i]). */
  readonly classes: readonly number[];
  readonly train: Split;
  readonly validation: Split;
  readonly test: Split;
}

/** How much of a dataset to load and how to split it. */
export interface LoadOptions {
  /** Use only the first N training images (before the validation split). */
  readonly trainLimit?: number;
  /** Use only the first N test images. */
  readonly testLimit?: number;
  /** Fraction of the (limited) training set held out for validation, in [0, 1); default 0.2. */
  readonly validationSplit?: number;
  /**
   * Keep only images of these file labels (distinct integers 0–9, at least 2), relabelled 0…k−1 in this order
   * (`[5, 6, 7, 8, 9]`: digit 5 becomes class 0). Applied after `trainLimit`/`testLimit`, before the validation split.
   */
  readonly classes?: readonly number[];
  /**
   * Keep this fraction (0, 1] of the labelled training images: of each class, the first ⌈fraction × n⌉ (at least
   * one) of the training part and, separately, of the validation part, so selection uses no more labels than
   * training does. The test set is never reduced.
   */
  readonly labelFraction?: number;
}

/** Default fraction of the training set used for validation. */
export const DEFAULT_VALIDATION_SPLIT = 0.2;

function checkLimit(name: string, v: number | undefined): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
    throw new InputError(`Expected \`${name}\` to be an integer ≥ 1, got ${v}`);
  }
}

/** Checks load options (limits ≥ 1, 0 ≤ validationSplit < 1) with InputErrors naming the field. */
export function validateLoadOptions(opts: LoadOptions): void {
  checkLimit('trainLimit', opts.trainLimit);
  checkLimit('testLimit', opts.testLimit);
  const vs = opts.validationSplit;
  if (vs !== undefined && !(Number.isFinite(vs) && vs >= 0 && vs < 1)) {
    throw new InputError(`Expected \`validationSplit\` to be a number in [0, 1), got ${vs}`);
  }
  const cs = opts.classes;
  if (cs !== undefined) {
    const ok = Array.isArray(cs) && cs.length >= 2 && cs.every((c) => Number.isInteger(c) && c >= 0 && c <= 9) && new Set(cs).size === cs.length;
    if (!ok) throw new InputError(`Expected \`classes\` to be at least 2 distinct integers in 0..9, got ${JSON.stringify(cs)}`);
  }
  const lf = opts.labelFraction;
  if (lf !== undefined && !(Number.isFinite(lf) && lf > 0 && lf <= 1)) {
    throw new InputError(`Expected \`labelFraction\` to be a number in (0, 1], got ${lf}`);
  }
}

/** Rows of `labels[from..to)` whose label is one of `keep` (all rows when keep is null). */
function rowsOf(labels: Uint8Array, from: number, to: number, keep: ReadonlyMap<number, number> | null): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) if (keep === null || keep.has(labels[i] as number)) out.push(i);
  return out;
}

/** Of each label, the first ⌈fraction × n⌉ rows (at least one), in their order. */
function labelSubset(rows: readonly number[], labels: Uint8Array, fraction: number): number[] {
  const count = new Map<number, number>();
  for (const r of rows) count.set(labels[r] as number, (count.get(labels[r] as number) ?? 0) + 1);
  const quota = new Map([...count].map(([l, n]) => [l, Math.max(1, Math.ceil(fraction * n - 1e-9))]));
  const taken = new Map<number, number>();
  return rows.filter((r) => {
    const l = labels[r] as number;
    const t = taken.get(l) ?? 0;
    if (t >= (quota.get(l) as number)) return false;
    taken.set(l, t + 1);
    return true;
  });
}

/** A split of the chosen rows: pixels scaled to [0, 1], labels mapped through `relabel` (identity when null). */
function gather(data: Uint8Array, labels: Uint8Array, rows: readonly number[], features: number, relabel: ReadonlyMap<number, number> | null): Split {
  const x = new Float32Array(rows.length * features);
  const y = new Uint8Array(rows.length);
  rows.forEach((r, k) => {
    const base = r * features;
    for (let p = 0; p < features; p++) x[k * features + p] = (data[base + p] as number) / 255;
    const l = labels[r] as number;
    y[k] = relabel === null ? l : (relabel.get(l) as number);
  });
  return { count: rows.length, x, y };
}

function toFloat(bytes: Uint8Array, from: number, to: number): Float32Array {
  const out = new Float32Array(to - from);
  for (let i = from; i < to; i++) out[i - from] = (bytes[i] as number) / 255;
  return out;
}

/**
 * Loads a dataset and splits it.
 *
 * The split is deterministic and unshuffled, as Keras' `validation_split` does it: after `trainLimit`
 * takes the FIRST N training images, training is the first `floor(N × (1 − validationSplit))` of
 * those (Keras' `split_at = int(len(x) * (1. - validation_split))`) and validation the rest, the LAST part. The PyTorch trainer of the command
 * runner splits exactly the same way,
 * so both trainers see the same validation examples. The test set is the first `testLimit`
 * images of the t10k files.
 */
export function loadDataset(ref: DatasetRef | string, opts: LoadOptions = {}): Dataset {
  validateLoadOptions(opts);
  const files = resolveDataset(ref);
  const trainImg = readIdxImages(files.trainImages);
  const trainLab = readIdxLabels(files.trainLabels);
  const testImg = readIdxImages(files.testImages);
  const testLab = readIdxLabels(files.testLabels);
  if (trainImg.count !== trainLab.length) {
    throw new DatasetError(`Dataset files ${files.trainImages} and ${files.trainLabels} disagree: ${trainImg.count} images, ${trainLab.length} labels`);
  }
  if (testImg.count !== testLab.length) {
    throw new DatasetError(`Dataset files ${files.testImages} and ${files.testLabels} disagree: ${testImg.count} images, ${testLab.length} labels`);
  }
  if (testImg.rows !== trainImg.rows || testImg.cols !== trainImg.cols) {
    throw new DatasetError(
      `Dataset file ${files.testImages} has ${testImg.rows}×${testImg.cols} images, ${files.trainImages} has ${trainImg.rows}×${trainImg.cols}`,
    );
  }
  const features = trainImg.rows * trainImg.cols;
  const nTrainAll = Math.min(trainImg.count, opts.trainLimit ?? Infinity);
  const nTest = Math.min(testImg.count, opts.testLimit ?? Infinity);
  const split = opts.validationSplit ?? DEFAULT_VALIDATION_SPLIT;
  const base = { name: files.name, files, features, rows: trainImg.rows, cols: trainImg.cols };
  if (opts.classes === undefined && opts.labelFraction === undefined) {
    // Keras: split_at = int(n * (1 - validation_split)); the same float expression gives the same integer.
    const nTrain = Math.floor(nTrainAll * (1 - split));
    const nVal = nTrainAll - nTrain;
    checkSizes(files, nTrainAll, nTrain, nVal, nTest, split);
    return {
      ...base,
      numClasses: 10,
      classes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      train: { count: nTrain, x: toFloat(trainImg.data, 0, nTrain * features), y: trainLab.slice(0, nTrain) },
      validation: {
        count: nVal,
        x: toFloat(trainImg.data, nTrain * features, nTrainAll * features),
        y: trainLab.slice(nTrain, nTrainAll),
      },
      test: { count: nTest, x: toFloat(testImg.data, 0, nTest * features), y: testLab.slice(0, nTest) },
    };
  }
  const classes = opts.classes ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const relabel = opts.classes === undefined ? null : new Map(classes.map((c, i) => [c, i]));
  const all = rowsOf(trainLab, 0, nTrainAll, relabel);
  const nTrain = Math.floor(all.length * (1 - split));
  let trainRows = all.slice(0, nTrain);
  let valRows = all.slice(nTrain);
  if (opts.labelFraction !== undefined) {
    trainRows = labelSubset(trainRows, trainLab, opts.labelFraction);
    valRows = labelSubset(valRows, trainLab, opts.labelFraction);
  }
  const testRows = rowsOf(testLab, 0, nTest, relabel);
  checkSizes(files, all.length, trainRows.length, valRows.length, testRows.length, split, opts.classes);
  return {
    ...base,
    numClasses: classes.length,
    classes,
    train: gather(trainImg.data, trainLab, trainRows, features, relabel),
    validation: gather(trainImg.data, trainLab, valRows, features, relabel),
    test: gather(testImg.data, testLab, testRows, features, relabel),
  };
}

function checkSizes(files: DatasetFiles, all: number, nTrain: number, nVal: number, nTest: number, split: number, classes?: readonly number[]): void {
  const of = classes === undefined ? '' : ` of classes ${classes.join(', ')}`;
  if (nTrain < 1) {
    throw new DatasetError(`Dataset ${files.name} leaves no training images (${all} images${of}, validationSplit ${split})`);
  }
  if (split > 0 && nVal < 1) {
    throw new DatasetError(`Dataset ${files.name} leaves no validation images (${all} images${of}, validationSplit ${split})`);
  }
  if (nTest < 1) throw new DatasetError(`Dataset file ${files.testImages} has no images${of}`);
}

