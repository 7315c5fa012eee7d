import type { Rng } from '../../core/rng.js';

/** Random shifts (whole pixels, each axis) and rotations (degrees, either way) of training images; 0 turns one off. */
export interface AugmentOptions {
  readonly shift: number;
  readonly rotate: number;
}

/**
 * Shifts and rotates each of `rows` images of `height × width × channels` (NHWC, row-major) in place, by amounts
 * drawn from `rng`: one draw of dx, dy (integers in [−shift, shift]) and an angle in [−rotate, rotate] per image.
 * Bilinear sampling around the image centre; pixels from outside the image are 0 (MNIST's background). Runs on the
 * batch before upload: about 1 ms for 128 MNIST images, next to tens of milliseconds of training per batch.
 */
export function augmentBatch(x: Float32Array, rows: number, height: number, width: number, channels: number, opts: AugmentOptions, rng: Rng): void {
  if (opts.shift <= 0 && opts.rotate <= 0) return;
  const size = height * width * channels;
  const src = new Float32Array(size);
  const cy = (height - 1) / 2;
  const cx = (width - 1) / 2;
  for (let r = 0; r < rows; r++) {
    const dx = opts.shift > 0 ? Math.floor(rng.next() * (2 * opts.shift + 1)) - opts.shift : 0;
    const dy = opts.shift > 0 ? Math.floor(rng.next() * (2 * opts.shift + 1)) - opts.shift : 0;
    const angle = opts.rotate > 0 ? ((rng.next() * 2 - 1) * opts.rotate * Math.PI) / 180 : 0;
    if (dx === 0 && dy === 0 && angle === 0) continue;
    const base = r * size;
    src.set(x.subarray(base, base + size));
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    for (let i = 0; i < height; i++) {
      for (let j = 0; j < width; j++) {
        // Inverse map: the output pixel (i, j) reads the source at R(−angle) · ((i, j) − centre − shift) + centre.
        const u = i - cy - dy;
        const v = j - cx - dx;
        const si = cos * u + sin * v + cy;
        const sj = -sin * u + cos * v + cx;
        const i0 = Math.floor(si);
        const j0 = Math.floor(sj);
        const fi = si - i0;
        const fj = sj - j0;
        for (let c = 0; c < channels; c++) {
          const at = (a: number, b: number): number => (a >= 0 && a < height && b >= 0 && b < width ? (src[(a * width + b) * channels + c] as number) : 0);
          x[base + (i * width + j) * channels + c] =
            (1 - fi) * ((1 - fj) * at(i0, j0) + fj * at(i0, j0 + 1)) + fi * ((1 - fj) * at(i0 + 1, j0) + fj * at(i0 + 1, j0 + 1));
        }
      }
    }
  }
}
