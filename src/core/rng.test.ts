import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from './rng.js';

/** mulberry32 written out with a plain uint32 state, as Rng was before its state moved into a typed array. */
function reference(seed: number): () => number {
  const mix = (x: number): number => {
    x = (x + 0x9e3779b9) >>> 0;
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
    return (x ^ (x >>> 16)) >>> 0;
  };
  let state = mix(seed >>> 0 ^ Math.floor(seed / 2 ** 32));
  return () => {
    let t = (state = (state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('Rng draws the mulberry32 sequence of a uint32 state, for seeds negative, fractional and above 2^32', () => {
  for (const seed of [0, 1, 42, 2 ** 31 - 1, 2 ** 32 + 5, 123456789012, -7, 0.5]) {
    const rng = new Rng(seed), ref = reference(seed);
    for (let i = 0; i < 20_000; i++) assert.equal(rng.next(), ref(), `seed ${seed}, draw ${i}`);
  }
});

test('Rng draws lie in [0, 1) and two seeds give two sequences', () => {
  const a = new Rng(3), b = new Rng(4);
  let same = 0;
  for (let i = 0; i < 10_000; i++) {
    const x = a.next();
    assert.ok(x >= 0 && x < 1);
    if (x === b.next()) same++;
  }
  assert.ok(same < 5);
});
