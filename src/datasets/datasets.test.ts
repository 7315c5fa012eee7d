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
