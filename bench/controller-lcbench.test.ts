import { test } from 'node:test';
import assert from 'node:assert/strict';
import { META_TASKS, RESERVED_TASKS, checkMetaTask, checkReservedTask } from './controller-lcbench.js';
import { readFileSync } from 'node:fs';
import { checkTask, parseArgs, parsePrinted } from './controller-regret.js';

test('the controller bench uses only the 23 meta-training tasks and refuses the 11 reserved ones', () => {
  assert.equal(new Set(META_TASKS).size, 23);
  assert.equal(new Set(RESERVED_TASKS).size, 11);
  assert.ok(META_TASKS.every((t) => !(RESERVED_TASKS as readonly string[]).includes(t)));
  for (const t of META_TASKS) assert.doesNotThrow(() => checkMetaTask(t));
  for (const t of RESERVED_TASKS) assert.throws(() => checkMetaTask(t), /reserved for issue 16's final evaluation/);
  assert.throws(() => checkMetaTask('999'), /not one of the 23/);
});

test('the reserved tasks load only through controller-regret --final-reserved, and then only they do', () => {
  // Without the flag every way of naming a reserved task is refused.
  for (const t of RESERVED_TASKS) {
    assert.throws(() => parseArgs(['--tasks', t]), /reserved for issue 16's final evaluation/);
    assert.throws(() => parseArgs(['--tasks', `126026,${t}`]), /reserved/);
    assert.throws(() => checkTask({ finalReserved: false }, t), /reserved/);
  }
  for (const v of ['every3', 'rest15', 'all']) assert.ok(parseArgs(['--tasks', v]).tasks.every((t) => (META_TASKS as readonly string[]).includes(t)));
  assert.deepEqual([...parseArgs(['--tasks', 'rest15']).tasks, ...parseArgs(['--tasks', 'every3']).tasks].sort(), [...META_TASKS].sort());
  assert.equal(parseArgs([]).finalReserved, false);
  // With it: exactly the 11 reserved tasks; a meta task is refused (the final model was trained on them).
  const a = parseArgs(['--final-reserved', '--reps', '4']);
  assert.equal(a.finalReserved, true);
  assert.equal(a.reps, 4);
  assert.deepEqual(a.tasks, [...RESERVED_TASKS]);
  assert.throws(() => parseArgs(['--final-reserved', '--tasks', '3945']), /--tasks cannot be given/);
  for (const t of META_TASKS) assert.throws(() => checkTask({ finalReserved: true }, t), /not one of the 11 reserved/);
  for (const t of RESERVED_TASKS) assert.doesNotThrow(() => checkReservedTask(t));
  assert.throws(() => parseArgs(['--sim-reps', '2']), /part of --final-reserved/);
});

test('the printed 8-task report parses to its per-task medians and sign-test counts', () => {
  const p = parsePrinted(readFileSync(new URL('../docs/controller-2026-12-02/regret-lcbench.md', import.meta.url), 'utf8'));
  assert.deepEqual(p.budgets, [25, 50, 100, 200]);
  assert.deepEqual([...p.medians.keys()], ['126026', '167152', '167181', '167200', '168331', '168910', '189866', '189906']);
  assert.deepEqual(p.medians.get('167181'), { controller: [0.182, 0.129, -1.2e-3, -4.0e-3], auto: [0.057, -3.7e-3, -5.9e-3, -6.2e-3], optuna: [5.1e-3, 1.0e-3, -1.6e-3, -1.6e-3] });
  assert.ok(Number.isNaN(p.medians.get('189906')?.['optuna']?.[0]));
  assert.deepEqual(p.sign.map((s) => [s.less, s.greater, s.ties]), [[21, 11, 0], [21, 11, 0], [16, 16, 0], [19, 13, 0]]);
  // The printed per-task wins, recomputed from the parsed medians: 7/8 @25, 6/8 @50, 4/8 @100, 5/8 @200.
  const wins = p.budgets.map((_, j) => [...p.medians.values()].filter((m) => (m['controller'] as number[])[j] as number < ((m['auto'] as number[])[j] as number)).length);
  assert.deepEqual(wins, [7, 6, 4, 5]);
  assert.throws(() => parsePrinted('no table'), /per-task table/);
});
