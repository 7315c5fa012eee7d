import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as peers from '../test/support/peers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const lcbench = peers.benchData('yahpo-lcbench', 'model.onnx');

test('lcbench-dev runs variants per budget and prints returned and best-observed regrets; the best observed is never worse on this deterministic task', { skip: peers.skipUnless(lcbench) }, () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/lcbench-dev.ts', '--reps', '2', '--budgets', '15', '--variants', 'auto|sw12|tpe-mv', '--seed-base', '5000'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.error ? `${r.error.message} (a loaded machine?)` : r.stderr);
  for (const v of ['auto', 'sw12', 'tpe-mv']) {
    const m = new RegExp(`^167168 @15 ${v}\\s+returned (\\S+) .*best observed (\\S+) `, 'm').exec(r.stdout);
    assert.ok(m, `row ${v} in ${r.stdout}`);
    assert.ok(Number(m[2]) <= Number(m[1]) + 1e-12, `${v}: best observed ${m[2]} vs returned ${m[1]}`);
  }
  const bad = spawnSync(process.execPath, ['--import', 'tsx', 'bench/lcbench-dev.ts', '--variants', 'nope'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /Unknown variant nope/);
});
