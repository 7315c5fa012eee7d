import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DatasetError } from '../../src/core/errors.js';
import { FCNET_GRID, fcnetLongCsv, readFcnetPickle, type FcnetParam } from './fcnet.js';

const fixture = (name: string): URL => new URL(`./fixtures/${name}`, import.meta.url);

/** FCNET_GRID cut to the sample's 4 configurations: both first activations, 16 or 32 units in the second layer. */
const SAMPLE_GRID: FcnetParam[] = FCNET_GRID.map((p) => ({ ...p, rowOrder: p.name === 'activation_fn_1' ? p.rowOrder : p.name === 'n_units_2' ? [0, 1] : [0] }));

test('the sample pickle converts to the rows of the published naval_propulsion table, in its order', () => {
  const table = readFcnetPickle(readFileSync(fixture('fcnet-naval-sample.pkl')), 'sample');
  assert.deepEqual([...table.keys()].sort(), ['000000000', '000000001', '100000000', '100000001']);
  assert.equal(fcnetLongCsv(table, SAMPLE_GRID), readFileSync(fixture('fcnet-naval-sample.csv'), 'utf8'));
});

test('the full grid has 62,208 configurations in the published row order; a missing one is named', () => {
  assert.equal(FCNET_GRID.reduce((n, p) => n * p.rowOrder.length, 1), 62_208);
  for (const p of FCNET_GRID) assert.deepEqual([...p.rowOrder].sort(), p.values.map((_, i) => i), p.name);
  const table = readFcnetPickle(readFileSync(fixture('fcnet-naval-sample.pkl')), 'sample');
  assert.throws(() => fcnetLongCsv(table), (e: unknown) => e instanceof DatasetError && /`100000002` \(tanh, relu, 8, 0, 0, 0\.0005, cosine, 16, 64\)/.test(e.message));
});

test('a pickle that is not the expected dict is refused, naming the file or the configuration', () => {
  assert.throws(() => readFcnetPickle(new Uint8Array([1, 2, 3]), 'junk.pkl'), (e: unknown) => e instanceof DatasetError && /junk\.pkl is not a readable pickle/.test(e.message));
  // Written by Python's pickle (protocol 4): [1, 2]; {'000000000': [0.1, 0.2, 0.3]}; the same with a 4th value NaN.
  const pickle = (name: string): Uint8Array => readFileSync(fixture(name));
  assert.throws(() => readFcnetPickle(pickle('fcnet-bad-list.pkl'), 'list.pkl'), /Expected list\.pkl to hold a dict/);
  assert.throws(() => readFcnetPickle(pickle('fcnet-bad-short.pkl'), 'short.pkl'), /4 finite values for configuration `000000000` in short\.pkl, got \[0\.1,0\.2,0\.3\]/);
  assert.throws(() => readFcnetPickle(pickle('fcnet-bad-nan.pkl'), 'nan.pkl'), /configuration `000000000` in nan\.pkl/);
});
