import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.js';
import { SortedList } from './sorted-list.js';

test('SortedList matches a sorted array under random inserts and removes (with duplicates, across chunk splits)', () => {
  const rng = new Rng(7);
  const list = new SortedList();
  const ref: number[] = [];
  for (let i = 0; i < 5000; i++) {
    if (ref.length > 0 && rng.next() < 0.3) {
      const v = ref[Math.floor(rng.next() * ref.length)] as number;
      assert.equal(list.remove(v), true);
      ref.splice(ref.indexOf(v), 1);
    } else {
      // Few distinct values, so duplicates are common.
      const v = Math.floor(rng.next() * 50) / 10;
      list.insert(v);
      ref.push(v);
    }
    if (i % 500 === 0 || i === 4999) {
      ref.sort((a, b) => a - b);
      assert.deepEqual(list.toArray(), ref);
      assert.equal(list.size, ref.length);
      for (let k = 0; k < ref.length; k += 97) assert.equal(list.at(k), ref[k]);
    }
  }
  assert.equal(list.remove(123.456), false);
});

test('SortedList refuses NaN and out-of-range indices', () => {
  const list = new SortedList();
  assert.throws(() => list.insert(NaN), /NaN/);
  list.insert(1);
  assert.throws(() => list.at(1), /out of range/);
  assert.equal(list.at(0), 1);
});
