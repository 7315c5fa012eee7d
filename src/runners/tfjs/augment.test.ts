import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../core/rng.js';
import { augmentBatch } from './augment.js';

const image = (h: number, w: number, f: (i: number, j: number) => number): Float32Array =>
  Float32Array.from({ length: h * w }, (_, k) => f(Math.floor(k / w), k % w));

test('augment: off leaves the batch alone and draws nothing', () => {
  const x = image(5, 5, (i, j) => i * 5 + j);
  const rng = new Rng(3);
  augmentBatch(x, 1, 5, 5, 1, { shift: 0, rotate: 0 }, rng);
  assert.deepEqual(Array.from(x), Array.from(image(5, 5, (i, j) => i * 5 + j)));
  assert.equal(rng.next(), new Rng(3).next());
});

test('augment: a shift moves pixels by whole steps within ±shift and fills with 0; the same seed gives the same batch', () => {
  const one = (): Float32Array => {
    const x = new Float32Array(2 * 49);
    x[24] = 1; // centre of image 0
    x[49 + 24] = 1; // centre of image 1
    augmentBatch(x, 2, 7, 7, 1, { shift: 2, rotate: 0 }, new Rng(11));
    return x;
  };
  const x = one();
  for (let r = 0; r < 2; r++) {
    const img = Array.from(x.subarray(r * 49, (r + 1) * 49));
    assert.equal(img.filter((v) => v !== 0).length, 1, 'one pixel, moved whole');
    const at = img.indexOf(1);
    assert.ok(Math.abs(Math.floor(at / 7) - 3) <= 2 && Math.abs((at % 7) - 3) <= 2, `within ±2 of the centre, got ${at}`);
  }
  assert.deepEqual(Array.from(one()), Array.from(x));
});

test('augment: a rotation by up to 90° turns a horizontal bar about the centre', () => {
  const bar = image(9, 9, (i) => (i === 4 ? 1 : 0));
  let vertical = 0;
  for (let seed = 0; seed < 20; seed++) {
    const x = Float32Array.from(bar);
    augmentBatch(x, 1, 9, 9, 1, { shift: 0, rotate: 45 }, new Rng(seed));
    assert.ok(Math.abs((x[40] as number) - 1) < 1e-6, 'the centre stays put');
    const mass = Array.from(x).reduce((a, b) => a + b, 0);
    assert.ok(mass > 5 && mass < 13, `about the bar's mass, got ${mass}`);
    if ((x[4] as number) + (x[76] as number) > 0) vertical++; // top or bottom centre lit: turned by more than ~30°
  }
  assert.ok(vertical < 20, 'not every rotation is large');
  const still = Float32Array.from(bar);
  augmentBatch(still, 1, 9, 9, 1, { shift: 0, rotate: 0.001 }, new Rng(1));
  assert.ok(Math.abs((still[36] as number) - 1) < 1e-3 && Math.abs(still[4] as number) < 1e-3, 'a tiny angle barely changes the bar');
});
