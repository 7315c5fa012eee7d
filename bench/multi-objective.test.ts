import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as peers from '../test/support/peers.js';

const script = fileURLToPath(new URL('./multi-objective.ts', import.meta.url));

// A small run only checks that every sampler runs on both problems and the tables print with hypervolumes in range
// (ZDT1's largest possible with reference (1.1, 11) is 11.77; FCNet's is scaled to at most 1).
it('multi-objective bench prints hyperzone\'s and Optuna\'s rows for ZDT1 and FCNet', {
  timeout: 600_000, skip: peers.skipUnless(peers.optuna(), peers.benchData('fcnet-naval_propulsion.csv.gz')),
}, () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, '--reps', '2', '--zdt-trials', '40', '--fcnet-trials', '30', '--population', '10'],
    { encoding: 'utf8', timeout: 580_000 });
  assert.equal(r.status, 0, r.error ? `${r.error.message} (a loaded machine?)` : r.stderr);
  for (const problem of ['zdt1 \\(6 variables\\), 40 trials', 'fcnet naval_propulsion .*, 30 trials']) assert.match(r.stdout, new RegExp(problem));
  const rows = [...r.stdout.matchAll(/^\| (hyperzone|optuna) ([^|]+) \| ([\d.]+) \|/gm)];
  assert.equal(rows.length, 14, r.stdout);
  for (const m of rows) assert.ok(Number(m[3]) > 0 && Number(m[3]) <= 11.77, m[0]);
});
