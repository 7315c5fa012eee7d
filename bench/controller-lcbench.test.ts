import { test } from 'node:test';
import assert from 'node:assert/strict';
import { META_TASKS, RESERVED_TASKS, checkMetaTask } from './controller-lcbench.js';

test('the controller bench uses only the 23 meta-training tasks and refuses the 11 reserved ones', () => {
  assert.equal(new Set(META_TASKS).size, 23);
  assert.equal(new Set(RESERVED_TASKS).size, 11);
  assert.ok(META_TASKS.every((t) => !(RESERVED_TASKS as readonly string[]).includes(t)));
  for (const t of META_TASKS) assert.doesNotThrow(() => checkMetaTask(t));
  for (const t of RESERVED_TASKS) assert.throws(() => checkMetaTask(t), /reserved for issue 16's final evaluation/);
  assert.throws(() => checkMetaTask('999'), /not one of the 23/);
});
