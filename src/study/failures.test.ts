import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TrialRecord } from '../core/types.js';
import { unresolvedFailures } from './failures.js';

const trial = (number: number, state: TrialRecord['state'], x: number, seed = 1): TrialRecord => ({
  id: number + 100, studyId: 1, number, state, params: { x }, seed, budget: 3, value: state === 'complete' ? 0.5 : null, metrics: {}, steps: [],
  attrs: {}, error: state === 'failed' ? 'boom' : null, workerId: null, attempts: 1, createdAt: 0, startedAt: null, finishedAt: null, heartbeatAt: null,
});

test('a failure is open until another trial of the same params, seed and budget is waiting, running or finished', () => {
  const trials = [trial(0, 'failed', 1), trial(1, 'failed', 2), trial(2, 'failed', 3), trial(3, 'complete', 1), trial(4, 'waiting', 2), trial(5, 'complete', 3, 2)];
  assert.deepEqual(unresolvedFailures(trials).map((t) => t.number), [2], '#2 differs from #5 by its seed');
  assert.deepEqual(unresolvedFailures([trial(0, 'failed', 1), trial(1, 'failed', 1)]).map((t) => t.number), [0, 1]);
  assert.deepEqual(unresolvedFailures([trial(0, 'complete', 1)]), []);
});
