import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DatasetError } from '../core/errors.js';

/** Magic number of an IDX file of unsigned-byte images (idx3-ubyte). */
export const IDX_IMAGES_MAGIC = 2051;
/** Magic number of an IDX file of unsigned-byte labels (idx1-ubyte). */
export const IDX_LABELS_MAGIC = 2049;

/** Images read from an IDX file: `count` images of rows×cols bytes, row-major. */
export interface IdxImages {
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  readonly data: Uint8Array;
}

/** Reads a file's bytes, gunzipping it when it starts with the gzip magic 0x1f8b. */
export function readMaybeGzip(file: string): Uint8Array {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (e) {
    throw new DatasetError(`Cannot read dataset file ${file}: ${(e as Error).message}`, { cause: e });
  }
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      raw = gunzipSync(raw);
    } catch (e) {
      throw new DatasetError(`Dataset file ${file} is a corrupt gzip file: ${(e as Error).message}`, { cause: e });
    }
  }
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
}

/** Checks the magic number first (a wrong file type beats "truncated"), then the header length. */
function header(bytes: Uint8Array, file: string, words: number, magic: number, kind: string): DataView {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 4 && view.getUint32(0) !== magic) {
    throw new DatasetError(`Dataset file ${file} is not an IDX ${kind} file: magic number ${view.getUint32(0)}, expected ${magic}`);
  }
  if (bytes.length < words * 4) {
    throw new DatasetError(`Dataset file ${file} is truncated: ${bytes.length} bytes, shorter than its ${words * 4}-byte IDX header`);
  }
  return view;
}

/** Parses IDX image bytes (magic 2051), checking the header against the file length. */
export function parseIdxImages(bytes: Uint8Array, file: string): IdxImages {
  const view = header(bytes, file, 4, IDX_IMAGES_MAGIC, 'image');
  const count = view.getUint32(4);
  const rows = view.getUint32(8);
  const cols = view.getUint32(12);
  if (rows === 0 || cols === 0) {
    throw new DatasetError(`Dataset file ${file} declares empty images (${rows}×${cols})`);
  }
  const expected = 16 + count * rows * cols;
  if (bytes.length < expected) {
    throw new DatasetError(
      `Dataset file ${file} is truncated: header declares ${count} images of ${rows}×${cols} (${expected} bytes), file has ${bytes.length} bytes`,
    );
  }
  if (bytes.length > expected) {
    throw new DatasetError(`Dataset file ${file} has ${bytes.length - expected} bytes more than its header declares`);
  }
  return { count, rows, cols, data: bytes.subarray(16, expected) };
}

/** Parses IDX label bytes (magic 2049), checking the length and that every label is < numClasses. */
export function parseIdxLabels(bytes: Uint8Array, file: string, numClasses = 10): Uint8Array {
  const view = header(bytes, file, 2, IDX_LABELS_MAGIC, 'label');
  const count = view.getUint32(4);
  const expected = 8 + count;
  if (bytes.length < expected) {
    throw new DatasetError(`Dataset file ${file} is truncated: header declares ${count} labels, file has ${bytes.length - 8}`);
  }
  if (bytes.length > expected) {
    throw new DatasetError(`Dataset file ${file} has ${bytes.length - expected} bytes more than its header declares`);
  }
  const labels = bytes.subarray(8, expected);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i] as number;
    if (l >= numClasses) {
      throw new DatasetError(`Dataset file ${file} has label ${l} at index ${i}, outside 0..${numClasses - 1}`);
    }
  }
  return labels;
}

/** Reads an IDX image file (raw or gzip). */
export function readIdxImages(file: string): IdxImages {
  return parseIdxImages(readMaybeGzip(file), file);
}

/** Reads an IDX label file (raw or gzip) with labels in 0..numClasses-1. */
export function readIdxLabels(file: string, numClasses = 10): Uint8Array {
  return parseIdxLabels(readMaybeGzip(file), file, numClasses);
}
