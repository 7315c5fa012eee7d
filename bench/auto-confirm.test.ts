import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as peers from '../test/support/peers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const naval = peers.benchData('fcnet-naval_propulsion.csv.gz');

test('auto-confirm runs one table and prints the base and each pick rule of a variant', { skip: peers.skipUnless(naval) }, () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/auto-confirm.ts', '--tables', 'naval_propulsion', '--reps', '1', '--budget', '50', '--seed-base', '5000'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.error ? `${r.error.message} (a loaded machine?)` : r.stderr);
  for (const row of ['base', 'default mu', 'default mean n>=2', 'default mean n>=3']) assert.match(r.stdout, new RegExp(`^  ${row.replace(/[>=]/g, '.')}\\s+\\S+ \\[\\d\\+ \\d-\\]`, 'm'), row);
  const bad = spawnSync(process.execPath, ['--import', 'tsx', 'bench/auto-confirm.ts', '--budget', '3'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--budget ≥ 10/);
});
