import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GrowingKeySet, Scratch, firstRows, rowKey } from './gp-scratch.js';
import { Rng } from '../core/rng.js';

test('firstRows: the rows a join-key set keeps first, in order (−0 equal to 0), in a table holding stale entries', () => {
  const rng = new Rng(6);
  const table = new Int32Array(4096).fill(7);
  for (const width of [1, 3, 8]) {
    for (const n of [1, 5, 200, 512]) {
      const values = [0, -0, 1, 0.5, -0.5, 0.25];
      const x = Float64Array.from({ length: n * width }, () => values[Math.floor(rng.next() * (width > 3 ? 3 : values.length))] as number);
      const seen = new Set<string>();
      const want: number[] = [];
      for (let i = 0; i < n; i++) {
        const k = x.subarray(i * width, (i + 1) * width).join(',');
        if (!seen.has(k)) { seen.add(k); want.push(i); }
      }
      const out = new Int32Array(n + 2).fill(-9);
      const count = firstRows(x, n, width, out, table);
      assert.deepEqual([...out.subarray(0, count)], want, `width ${width}, ${n} rows`);
    }
  }
  assert.throws(() => firstRows(new Float64Array(10), 10, 1, new Int32Array(10), new Int32Array(8)), RangeError);
});

test('rowKey is Float64Array.prototype.join(",") of the row', () => {
  const x = Float64Array.from([0.1, -0, 1e-300, 3, -0.5, 1 / 3, 7]);
  for (let at = 0; at < 4; at++) assert.equal(rowKey(x, at, 3), x.subarray(at, at + 3).join(','));
});

test('GrowingKeySet: the keys of the current list, added to while the list grows at its end, rebuilt otherwise', () => {
  const rng = new Rng(2);
  const point = (): Float64Array => Float64Array.from([Math.floor(rng.next() * 3), Math.floor(rng.next() * 3)]);
  let calls = 0;
  const keys = new GrowingKeySet((x) => { calls++; return x.join(','); });
  const same = (xs: Float64Array[]): void => assert.deepEqual([...keys.update(xs)].sort(), [...new Set(xs.map((x) => x.join(',')))].sort());
  let xs = Array.from({ length: 20 }, point);
  same(xs);
  assert.equal(calls, 20);
  xs = [...xs, point(), point()];
  same(xs);
  assert.equal(calls, 22, 'only the two new ones keyed');
  xs = [...xs.slice(0, 5), ...xs.slice(6)];
  same(xs);
  assert.equal(calls, 43, 'a removal: built again');
  same([xs[1] as Float64Array]);
});

test('Scratch keeps one buffer per name, grown when a larger one is asked for', () => {
  const s = new Scratch();
  const a = s.f64('a', 10);
  assert.ok(a.length >= 10);
  assert.equal(s.f64('a', 8), a);
  const b = s.f64('a', 1000);
  assert.ok(b.length >= 1000 && b !== a);
  assert.notEqual(s.f64('b', 8), b);
  assert.ok(s.i32('a', 3) instanceof Int32Array && s.u8('a', 3) instanceof Uint8Array);
});
