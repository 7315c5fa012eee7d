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
  // Keras: split_at = int(n * (1 - validation_split)); the same float expression gives the same integer.
  const nTrain = Math.floor(nTrainAll * (1 - split));
  const nVal = nTrainAll - nTrain;
  if (nTrain < 1) {
    throw new DatasetError(`Dataset ${files.name} leaves no training images (${nTrainAll} images, validationSplit ${split})`);
  }
  if (split > 0 && nVal < 1) {
    throw new DatasetError(`Dataset ${files.name} leaves no validation images (${nTrainAll} images, validationSplit ${split})`);
  }
  if (nTest < 1) throw new DatasetError(`Dataset file ${files.testImages} has no images`);
  return {
    name: files.name,
    files,
    features,
    rows: trainImg.rows,
    cols: trainImg.cols,
    numClasses: 10,
    train: { count: nTrain, x: toFloat(trainImg.data, 0, nTrain * features), y: trainLab.slice(0, nTrain) },
    validation: {
      count: nVal,
      x: toFloat(trainImg.data, nTrain * features, nTrainAll * features),
      y: trainLab.slice(nTrain, nTrainAll),
    },
    test: { count: nTest, x: toFloat(testImg.data, 0, nTest * features), y: testLab.slice(0, nTest) },
  };
}
