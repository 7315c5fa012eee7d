import assert from 'node:assert/strict';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DatasetError, InputError } from '../core/errors.js';
import { readIdxImages, readIdxLabels } from './idx.js';
import { loadDataset } from './load.js';
import { resolveDataset } from './resolve.js';
import { idxImagesBytes, idxLabelsBytes, writeSyntheticIdx } from './testutil.js';
import * as peers from '../../test/support/peers.js';

const dirs: string[] = [];
const mk = (o: Parameters<typeof writeSyntheticIdx>[0]): string => {
  const d = writeSyntheticIdx(o);
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function expectDatasetError(fn: () => unknown, file: string, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DatasetError, `expected DatasetError, got ${String(e)}`);
    assert.equal(e.code, 'DATASET_ERROR');
    assert.ok(e.message.includes(file), `message names the file: ${e.message}`);
    assert.match(e.message, re);
    return true;
  });
}

describe('IDX reader', () => {
  it('reads raw and gzip files alike', () => {
    const raw = mk({ train: 20, test: 10 });
    const gz = mk({ train: 20, test: 10, gzip: true });
    const a = readIdxImages(join(raw, 'train-images-idx3-ubyte'));
    const b = readIdxImages(join(gz, 'train-images-idx3-ubyte.gz'));
    assert.equal(a.count, 20);
    assert.equal(a.rows, 8);
    assert.equal(a.cols, 8);
    assert.deepEqual(Buffer.from(a.data), Buffer.from(b.data));
    assert.deepEqual([...readIdxLabels(join(gz, 'train-labels-idx1-ubyte.gz'))].slice(0, 12), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  });

  it('rejects wrong magic numbers, naming the file', () => {
    const d = mk({ train: 5, test: 5 });
    const f = join(d, 'bad-images');
    writeFileSync(f, idxLabelsBytes([1, 2, 3]));
    expectDatasetError(() => readIdxImages(f), f, /magic number 2049, expected 2051/);
    const g = join(d, 'bad-labels');
    writeFileSync(g, idxImagesBytes(2, 2, 2, () => 0));
    expectDatasetError(() => readIdxLabels(g), g, /magic number 2051, expected 2049/);
  });

  it('rejects truncated files (raw and gzip) and short headers', () => {
    const d = mk({ train: 5, test: 5 });
    const full = idxImagesBytes(10, 4, 4, (i, p) => i + p);
    const f = join(d, 'trunc');
    writeFileSync(f, full.subarray(0, full.length - 3));
    expectDatasetError(() => readIdxImages(f), f, /truncated: header declares 10 images of 4×4/);
    const g = join(d, 'trunc.gz');
    writeFileSync(g, gzipSync(full.subarray(0, 100)));
    expectDatasetError(() => readIdxImages(g), g, /truncated/);
    const h = join(d, 'tiny');
    writeFileSync(h, Buffer.from([0, 0, 8]));
    expectDatasetError(() => readIdxLabels(h), h, /truncated/);
    const l = join(d, 'labels-trunc');
    writeFileSync(l, idxLabelsBytes([1, 2, 3, 4]).subarray(0, 10));
    expectDatasetError(() => readIdxLabels(l), l, /declares 4 labels/);
  });

  it('rejects corrupt gzip and out-of-range labels', () => {
    const d = mk({ train: 5, test: 5 });
    const f = join(d, 'corrupt.gz');
    writeFileSync(f, Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from('not really gzip data at all')]));
    expectDatasetError(() => readIdxImages(f), f, /corrupt gzip/);
    const g = join(d, 'labels');
    writeFileSync(g, idxLabelsBytes([0, 3, 12]));
    expectDatasetError(() => readIdxLabels(g), g, /label 12 at index 2/);
  });

  it('names a missing file', () => {
    expectDatasetError(() => readIdxImages('/nonexistent/x-idx3-ubyte'), '/nonexistent/x-idx3-ubyte', /Cannot read/);
  });
});

describe('dataset resolver and loader', () => {
  it('finds the four files in a directory, raw or gzip', () => {
    const d = mk({ train: 10, test: 10, gzip: true });
    const f = resolveDataset({ idx: d });
    assert.equal(f.trainImages, join(d, 'train-images-idx3-ubyte.gz'));
    assert.equal(f.testLabels, join(d, 't10k-labels-idx1-ubyte.gz'));
  });

  it('lists the known datasets for an unknown name', () => {
    assert.throws(() => resolveDataset('cifar'), (e: unknown) => e instanceof DatasetError && /"cifar".*mnist, fashion-mnist/.test(e.message));
  });

  it('names a directory lacking a file', () => {
    const d = mk({ train: 10, test: 10 });
    rmSync(join(d, 't10k-labels-idx1-ubyte'));
    expectDatasetError(() => resolveDataset({ idx: d }), d, /no t10k-labels\* IDX file/);
    expectDatasetError(() => resolveDataset({ idx: join(d, 'nope') }), join(d, 'nope'), /cannot be read/);
  });

  it('splits validation off the END of the limited training set, unshuffled (Keras style)', () => {
    const d = mk({ train: 50, test: 20 });
    const ds = loadDataset({ idx: d }, { trainLimit: 33, testLimit: 7, validationSplit: 0.2 });
    // Keras: split_at = int(33 * 0.8) = 26
    assert.equal(ds.train.count, 26);
    assert.equal(ds.validation.count, 7);
    assert.equal(ds.test.count, 7);
    assert.equal(ds.features, 64);
    assert.equal(ds.train.x.length, 26 * 64);
    assert.equal(ds.validation.x.length, 7 * 64);
    assert.deepEqual([...ds.validation.y], [6, 7, 8, 9, 0, 1, 2]); // images 26..32 have labels i % 10
    const img = readIdxImages(join(d, 'train-images-idx3-ubyte'));
    assert.equal(ds.validation.x[0], Math.fround((img.data[26 * 64] as number) / 255));
    assert.equal(ds.train.x[64 * 5 + 3], Math.fround((img.data[64 * 5 + 3] as number) / 255));
    for (const v of ds.train.x) assert.ok(v >= 0 && v <= 1);
    const def = loadDataset({ idx: d });
    assert.equal(def.train.count, 40);
    assert.equal(def.validation.count, 10);
    assert.equal(def.test.count, 20);
  });

  it('rejects image/label count disagreement and bad options', () => {
    const d = mk({ train: 10, test: 10 });
    writeFileSync(join(d, 'train-labels-idx1-ubyte'), idxLabelsBytes([1, 2, 3]));
    expectDatasetError(() => loadDataset({ idx: d }), join(d, 'train-labels-idx1-ubyte'), /10 images, 3 labels/);
    assert.throws(() => loadDataset({ idx: d }, { trainLimit: 0 }), (e: unknown) => e instanceof InputError && /`trainLimit`.*got 0/.test(e.message));
    assert.throws(() => loadDataset({ idx: d }, { validationSplit: 1 }), (e: unknown) => e instanceof InputError && /`validationSplit`.*got 1/.test(e.message));
  });

  it('loads the real MNIST package', () => {
    const m = loadDataset('mnist', { trainLimit: 100, testLimit: 10 });
    assert.equal(m.features, 784);
    assert.equal(m.train.count, 80);
    assert.deepEqual([...m.train.y.slice(0, 5)], [5, 0, 4, 1, 9]); // the well-known first MNIST labels
  });

  it('loads Fashion-MNIST (Debian dataset-fashion-mnist)', { skip: peers.skipUnless(peers.fashionMnist()) }, () => {
    const f = loadDataset('fashion-mnist', { trainLimit: 10, testLimit: 10 });
    assert.equal(f.features, 784);
    assert.equal(f.test.count, 10);
    // Fashion-MNIST's first training labels (ankle boot, T-shirt, T-shirt, dress, T-shirt), unlike MNIST's.
    assert.deepEqual([...f.train.y.slice(0, 5)], [9, 0, 0, 3, 0]);
  });
});

describe('class subsets and label fractions', () => {
  it('keeps the chosen classes, relabelled in their order, and splits validation off the end of what is kept', () => {
    // 100 training images with labels i % 10: ten of each class; classes [7, 2] keep rows 2, 7, 12, 17, …
    const d = mk({ train: 100, test: 30 });
    const ds = loadDataset({ idx: d }, { classes: [7, 2], validationSplit: 0.25 });
    assert.equal(ds.numClasses, 2);
    assert.deepEqual(ds.classes, [7, 2]);
    assert.equal(ds.train.count, 15); // floor(20 × 0.75)
    assert.equal(ds.validation.count, 5);
    // Kept rows in file order 2, 7, 12, …: labels 2, 7, 2, 7 … → classes 1, 0, 1, 0 …
    assert.deepEqual([...ds.train.y.slice(0, 4)], [1, 0, 1, 0]);
    const full = loadDataset({ idx: d }, { validationSplit: 0.25 });
    // The first kept training image is file row 2 (pixels as the unfiltered loader gives them).
    assert.deepEqual([...ds.train.x.slice(0, ds.features)], [...full.train.x.slice(2 * ds.features, 3 * ds.features)]);
    // Validation is the last quarter of the kept rows: file rows 77, 82, 87, 92, 97.
    assert.deepEqual([...ds.validation.x.slice(0, ds.features)], [...full.validation.x.slice(2 * ds.features, 3 * ds.features)]);
    assert.equal(ds.test.count, 6);
    assert.deepEqual([...ds.test.y], [1, 0, 1, 0, 1, 0]);
  });

  it('keeps the first ⌈fraction × n⌉ labels of each class, in training and validation separately, never in the test set', () => {
    const d = mk({ train: 200, test: 50 });
    const ds = loadDataset({ idx: d }, { labelFraction: 0.2, validationSplit: 0.5 });
    // Training: rows 0–99, ten of each class → 2 each; validation rows 100–199 → 2 each.
    assert.equal(ds.train.count, 20);
    assert.equal(ds.validation.count, 20);
    assert.equal(ds.test.count, 50);
    assert.deepEqual([...ds.train.y], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // At least one image per class, however small the fraction.
    const tiny = loadDataset({ idx: d }, { labelFraction: 0.001, classes: [3, 4] });
    assert.equal(tiny.train.count, 2);
    assert.equal(tiny.validation.count, 2);
    assert.deepEqual([...tiny.train.y].sort(), [0, 1]);
  });

  it('refuses bad classes and fractions, naming the field and the value', () => {
    const d = mk({ train: 20, test: 10 });
    const bad = (o: Parameters<typeof loadDataset>[1], re: RegExp): void =>
      assert.throws(() => loadDataset({ idx: d }, o), (e: unknown) => e instanceof InputError && re.test(e.message));
    bad({ classes: [3] }, /`classes` to be at least 2 distinct integers in 0..9, got \[3\]/);
    bad({ classes: [3, 3] }, /`classes`.*got \[3,3\]/);
    bad({ classes: [3, 10] }, /`classes`.*got \[3,10\]/);
    bad({ labelFraction: 0 }, /`labelFraction` to be a number in \(0, 1\], got 0/);
    bad({ labelFraction: 1.5 }, /`labelFraction`.*got 1.5/);
    // A subset that leaves a split empty names the classes.
    expectDatasetError(() => loadDataset({ idx: d }, { classes: [1, 2], trainLimit: 2 }), d, /no training images \(1 images of classes 1, 2/);
  });

  it('splits real MNIST into digits 0–4 and 5–9', () => {
    const a = loadDataset('mnist', { trainLimit: 1000, testLimit: 500, classes: [0, 1, 2, 3, 4] });
    const b = loadDataset('mnist', { trainLimit: 1000, testLimit: 500, classes: [5, 6, 7, 8, 9], labelFraction: 0.1 });
    const full = loadDataset('mnist', { trainLimit: 1000, testLimit: 500 });
    const count = (y: Uint8Array, pred: (l: number) => boolean): number => [...y].filter(pred).length;
    assert.equal(a.train.count + a.validation.count, count(full.train.y, (l) => l < 5) + count(full.validation.y, (l) => l < 5));
    assert.equal(a.test.count, count(full.test.y, (l) => l < 5));
    assert.ok(b.train.y.every((l) => l < 5));
    assert.ok(b.train.count < 60 && b.train.count >= 35, `about 10% of ~400 training images of 5–9, got ${b.train.count}`);
  });
});
