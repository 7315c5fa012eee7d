import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DatasetError } from '../../src/core/errors.js';
import { lcbenchTargetStatistics } from './lcbench.js';

test("target_statistics.csv keeps the header and the lcbench rows of YAHPO's statistics, in order", () => {
  const sample = readFileSync(new URL('./fixtures/lcbench-target-statistics-sample.csv', import.meta.url), 'utf8');
  assert.equal(lcbenchTargetStatistics(sample, 'sample'), [
    'metric,statistic,value,scenario,instance',
    'test_balanced_accuracy,min,0.31317964,lcbench,3945',
    'test_cross_entropy,min,0.38088173,lcbench,3945',
    'time,min,1.3681177,lcbench,3945',
    'val_cross_entropy,max,3.2056415,lcbench,126029',
    '',
  ].join('\n'));
});

test('a table without a scenario column or without lcbench rows is refused, naming the source', () => {
  assert.throws(() => lcbenchTargetStatistics('a,b\n1,2\n', 'x.csv'), (e: unknown) => e instanceof DatasetError && /`scenario` column in x\.csv/.test(e.message));
  assert.throws(() => lcbenchTargetStatistics('metric,scenario\nacc,nb301\n', 'y.csv'), /No lcbench rows in y\.csv/);
});
