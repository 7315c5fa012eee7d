import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Encoding } from './gp-encoding.js';
import { Space } from '../space/space.js';
import { Rng } from '../core/rng.js';

const spaces: Record<string, Space> = {
  mixed: Space.fromSpec({
    units: { type: 'int', low: 8, high: 1024, log: true },
    act: { type: 'categorical', choices: ['relu', 'tanh', 'elu'] },
    lr: { type: 'float', low: 1e-5, high: 1, log: true },
    batch: { type: 'series', values: [8, 16, 32, 64] },
  }),
  conditional: Space.fromSpec({
    num_layers: { type: 'int', low: 1, high: 3 },
    units_2: { type: 'int', low: 16, high: 1024, log: true, when: { parent: 'num_layers', min: 2 } },
    units_3: { type: 'int', low: 16, high: 1024, log: true, when: { parent: 'num_layers', min: 3 } },
    model: { type: 'categorical', choices: ['fnn', 'cnn'] },
    filters: { type: 'categorical', choices: [16, 32, 64], when: { parent: 'model', values: ['cnn'] } },
    kernel: { type: 'int', low: 1, high: 7, when: { parent: 'filters', values: [64] } },
    lr: { type: 'float', low: 1e-5, high: 1, log: true },
  }),
  partial: Space.fromSpec({ x: { type: 'float', low: 0, high: 1 }, k: { type: 'int', low: 1, high: 5 }, c: { type: 'categorical', choices: ['a', 'b'] } }, { partial: true }),
};

/** A row of `width` at `at` inside a buffer of NaN (what a kept buffer may hold), and the row read back. */
function inGarbage(width: number, at: number): { buf: Float64Array; row: () => Float64Array } {
  const buf = new Float64Array(at + width + 3).fill(NaN);
  return { buf, row: () => buf.slice(at, at + width) };
}

/** The one-array forms the rows replace, as they were written: the reference. */
function randomReference(enc: Encoding, rng: Rng): Float64Array {
  const x = new Float64Array(enc.width);
  for (const c of enc.cols) {
    if (c.kind === 'cat') x[c.at + Math.floor(rng.next() * c.values.length)] = 1;
    else x[c.at] = rng.next();
  }
  return x;
}
function perturbReference(enc: Encoding, x: Float64Array, scale: number, rng: Rng): Float64Array {
  const y = Float64Array.from(x);
  for (const c of enc.cols) {
    if (c.kind === 'cat') {
      if (rng.next() < 0.2) {
        for (let i = 0; i < c.values.length; i++) y[c.at + i] = 0;
        y[c.at + Math.floor(rng.next() * c.values.length)] = 1;
      }
    } else {
      const v = (x[c.at] as number) + scale * rng.normal();
      y[c.at] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
  return y;
}

test('candidate rows in a kept buffer: bit for bit the one-array forms (random, perturb, snap = encode(decode(x)) or x)', () => {
  for (const [name, space] of Object.entries(spaces)) {
    const enc = new Encoding(space);
    const D = enc.width;
    const tmp = new Float64Array(D + 5).fill(NaN);
    const a = new Rng(31), b = new Rng(31);
    let snapped = 0;
    for (let i = 0; i < 300; i++) {
      const at = (i % 4) * D + 1;
      const r = inGarbage(D, at);
      enc.randomInto(a, r.buf, at);
      const want = randomReference(enc, b);
      assert.deepEqual(r.row(), want, `${name}: random ${i}`);
      const p = inGarbage(D, at + 2);
      enc.perturbInto(r.buf, at, [0.2, 0.05, 0.3][i % 3] as number, a, p.buf, at + 2);
      const moved = perturbReference(enc, want, [0.2, 0.05, 0.3][i % 3] as number, b);
      assert.deepEqual(p.row(), moved, `${name}: perturb ${i}`);
      for (const x of [want, moved]) {
        const s = inGarbage(D, at);
        s.buf.set(x, at);
        enc.snapRow(s.buf, at, tmp);
        const snap = enc.encode(enc.decode(x)) ?? x;
        assert.deepEqual(s.row(), snap, `${name}: snap ${i}`);
        if (!snap.every((v, j) => v === x[j])) snapped++;
      }
    }
    assert.ok(snapped > 100, `${name}: only ${snapped} of 600 rows moved when snapped`);
  }
});

test('decode reads a row at an offset; encodeInto overwrites a row whatever it held', () => {
  for (const space of Object.values(spaces)) {
    const enc = new Encoding(space);
    const rng = new Rng(4);
    for (let i = 0; i < 50; i++) {
      const p = space.sample(rng);
      const x = enc.encode(p) as Float64Array;
      const { buf, row } = inGarbage(enc.width, 3);
      assert.ok(enc.encodeInto(p, buf, 3));
      assert.deepEqual(row(), x);
      assert.deepEqual(enc.decode(buf, 3), enc.decode(x));
    }
  }
});
