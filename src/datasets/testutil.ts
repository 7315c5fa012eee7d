import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Builds IDX image bytes (magic 2051) from n images of rows×cols, pixel(i, p) giving each byte. For tests. */
export function idxImagesBytes(n: number, rows: number, cols: number, pixel: (i: number, p: number) => number): Buffer {
  const buf = Buffer.alloc(16 + n * rows * cols);
  buf.writeUInt32BE(2051, 0);
  buf.writeUInt32BE(n, 4);
  buf.writeUInt32BE(rows, 8);
  buf.writeUInt32BE(cols, 12);
  for (let i = 0; i < n; i++) for (let p = 0; p < rows * cols; p++) buf[16 + i * rows * cols + p] = pixel(i, p) & 255;
  return buf;
}

/** Builds IDX label bytes (magic 2049). For tests. */
export function idxLabelsBytes(labels: readonly number[]): Buffer {
  const buf = Buffer.alloc(8 + labels.length);
  buf.writeUInt32BE(2049, 0);
  buf.writeUInt32BE(labels.length, 4);
  labels.forEach((l, i) => (buf[8 + i] = l));
  return buf;
}

/**
 * Writes a small synthetic, learnable IDX dataset to a new temp dir and returns the dir: image i has
 * label i % 10 and its pixels light up a class-specific band. For tests.
 */
export function writeSyntheticIdx(opts: { train: number; test: number; rows?: number; cols?: number; gzip?: boolean }): string {
  const dir = mkdtempSync(join(tmpdir(), 'hz-idx-'));
  const rows = opts.rows ?? 8;
  const cols = opts.cols ?? 8;
  const f = rows * cols;
  const pixel = (i: number, p: number): number => {
    const c = i % 10;
    const band = Math.floor((p * 10) / f) === c;
    return band ? 200 + ((i * 7 + p) % 55) : (i * 31 + p * 17) % 60;
  };
  const labels = (n: number): number[] => Array.from({ length: n }, (_, i) => i % 10);
  const w = (name: string, b: Buffer): void => writeFileSync(join(dir, opts.gzip ? `${name}.gz` : name), opts.gzip ? gzipSync(b) : b);
  w('train-images-idx3-ubyte', idxImagesBytes(opts.train, rows, cols, pixel));
  w('train-labels-idx1-ubyte', idxLabelsBytes(labels(opts.train)));
  w('t10k-images-idx3-ubyte', idxImagesBytes(opts.test, rows, cols, pixel));
  w('t10k-labels-idx1-ubyte', idxLabelsBytes(labels(opts.test)));
  return dir;
}
