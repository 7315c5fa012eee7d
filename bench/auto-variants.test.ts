import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RULES } from './auto-variants.js';
import type { ObservedPosterior } from '../src/samplers/gp.js';
import * as peers from '../test/support/peers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const rule = (name: string): (typeof RULES)[number] => {
  const r = RULES.find((x) => x.name === name);
  assert.ok(r, name);
  return r;
};

test('pick rules: best observed, GP mean among the k best observed, mean + sd', () => {
  // rank follows y; the model's mean prefers id 6 overall, id 3 among the 5 best observed; sd penalises id 3.
  const post: ObservedPosterior[] = [
    { params: { id: 0 }, y: -2.0, mu: -1.0, sd: 0.1, rank: 0 },
    { params: { id: 1 }, y: -1.8, mu: -1.1, sd: 0.1, rank: 1 },
    { params: { id: 2 }, y: -1.5, mu: -0.9, sd: 0.1, rank: 2 },
    { params: { id: 3 }, y: -1.2, mu: -1.3, sd: 0.5, rank: 3 },
    { params: { id: 4 }, y: -1.0, mu: -0.8, sd: 0.1, rank: 4 },
    { params: { id: 5 }, y: -0.5, mu: -0.2, sd: 0.1, rank: 5 },
    { params: { id: 6 }, y: -0.4, mu: -1.6, sd: 0.2, rank: 6 },
  ];
  assert.equal(rule('best observed').pick(post, 200).id, 0);
  assert.equal(rule('mu, best 5 (current)').pick(post, 200).id, 3);
  assert.equal(rule('mu, all').pick(post, 200).id, 6);
  assert.equal(rule('mu+sd, best 5').pick(post, 200).id, 1);
  assert.equal(rule('mu+sd, all').pick(post, 200).id, 6);
  // ⌈n/20⌉ best: 3 at 50 evaluations (ids 0–2), 10 at 200 (all seven here).
  assert.equal(rule('mu, best n/20').pick(post, 50).id, 1);
  assert.equal(rule('mu, best n/20').pick(post, 200).id, 6);
});

const naval = peers.benchData('fcnet-naval_propulsion.csv.gz');
test('auto-variants runs on one table and prints a row per rule', { skip: peers.skipUnless(naval) }, () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/auto-variants.ts', '--tables', 'naval_propulsion', '--reps', '1', '--budgets', '45', '--seed-base', '5000'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.error ? `${r.error.message} (a loaded machine?)` : r.stderr);
  for (const x of RULES) assert.match(r.stdout, new RegExp(`^\\| ${x.name.replace(/[()+]/g, '\\$&')} \\| [\\d.e+-]+ \\(`, 'm'), x.name);
  const bad = spawnSync(process.execPath, ['--import', 'tsx', 'bench/auto-variants.ts', '--proposals', 'nope'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.notEqual(bad.status, 0);
});
