// End-to-end: the zone strategy through the compiled CLI, as one study and as separate stages split over two "machines".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve('dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'hz-zones-'));
const hz = (args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, HYPERZONE_TFJS_BACKEND: 'wasm' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const SPEC = `study: zq
space:
  units: [16, 32, 64]
  batch_size: [32, 64, 128]
fixed: { learning_rate: 0.003, lr_schedule: none }
budget: { epochs: 2 }
sampler: { type: zones, max_zones: 1, split_parts: 2, max_candidates: 2, schedules: [none, "step:1"], top_k: 2, confirm_seeds: 2 }
trainer: { type: tfjs, dataset: mnist, train_limit: 1000, test_limit: 300 }
`;
writeFileSync(join(dir, 'zq.yaml'), SPEC);
// The stage-by-stage test counts plans exactly: no repeat lattice, no verification runs (the defaults add both).
writeFileSync(join(dir, 'zs.yaml'), SPEC.replace('type: zones,', 'type: zones, repeat_share: 0, verify_peaks: false,'));

test('strategy zones runs all four stages as one study, reads test data only in stage 4, and reports', () => {
  const r = hz(['run', 'zq.yaml', '--parallel', '2']);
  assert.equal(r.code, 0, r.stderr);
  for (const heading of ['Stage 1 — zones', 'Stage 2 — potentially optimal', 'Stage 4 — confirmation', 'Compute per stage']) assert.match(r.stdout, new RegExp(heading));
  assert.match(r.stdout, /Selected on val_accuracy/);
  // The default measures the noise from seeds: a share of the grid runs twice.
  assert.match(r.stdout, /noise band: seed-to-seed sd/);
  assert.match(r.stdout, /indistinguishable within noise|is better than/);
  for (const f of ['1-zones.json', '2-refine.json', '3-schedules.json', '4-confirm.json']) assert.ok(existsSync(join(dir, '.hyperzone', 'zq', f)), f);
  const trials = JSON.parse(hz(['export', '--format', 'json']).stdout).trials as { attrs: Record<string, unknown>; metrics: Record<string, number> }[];
  const withTest = trials.filter((t) => t.metrics.test_accuracy !== undefined);
  assert.ok(withTest.length >= 4, 'stage 4 trials carry test metrics');
  assert.ok(withTest.every((t) => t.attrs['zones.stage'] === 'confirm'), 'only stage 4 reads the test set');
  // Resume: the same command again reruns nothing.
  const before = trials.length;
  const again = hz(['run', 'zq.yaml', '-q']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(JSON.parse(hz(['export', '--format', 'json']).stdout).trials.length, before);
});

test('stages as steps: plan, evaluate in two parts on two storages, merge, analyse; conflicts are named', () => {
  assert.equal(hz(['stage', 'zones', '--spec', 'zs.yaml', '--out', 'plan.json']).code, 0);
  const plan = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8'));
  assert.equal(plan.plan.length, 9);
  assert.equal(hz(['evaluate', '--in', 'plan.json', '--spec', 'zs.yaml', '--part', '1/2', '--out', 'a.json', '--storage', 'm1.db', '-q']).code, 0);
  assert.equal(hz(['evaluate', '--in', 'plan.json', '--spec', 'zs.yaml', '--part', '2/2', '--out', 'b.json', '--storage', 'm2.db', '-q']).code, 0);
  const early = hz(['stage', 'zones', '--in', 'a.json', '--spec', 'zs.yaml', '--out', 'early.json']);
  assert.equal(early.code, 0);
  assert.equal(JSON.parse(readFileSync(join(dir, 'early.json'), 'utf8')).plan.length, 4, 'half the grid still to evaluate');
  const m = hz(['merge', 'a.json', 'b.json', 'a.json', '--out', 'm.json']);
  assert.equal(m.code, 0, m.stderr);
  assert.match(m.stderr, /9 distinct/);
  const compute = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8')).compute;
  assert.equal(compute.zones.trials, 9, 'each part counted once, though a.json was merged twice');
  assert.equal(compute.zones.runs.length, 2);
  const z = hz(['stage', 'zones', '--in', 'm.json', '--spec', 'zs.yaml', '--out', 'z.json']);
  assert.equal(z.code, 0, z.stderr);
  assert.match(z.stdout, /Stage 1 — zones \(9 grid points/);
  const skip = hz(['stage', 'confirm', '--in', 'z.json', '--spec', 'zs.yaml', '--out', 'c.json']);
  assert.equal(skip.code, 2);
  assert.match(skip.stderr, /Stage `refine` is not complete/);
  const other = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8'));
  other.fixed.learning_rate = 0.1;
  writeFileSync(join(dir, 'other.json'), JSON.stringify(other));
  const conflict = hz(['merge', 'm.json', 'other.json', '--out', 'x.json']);
  assert.equal(conflict.code, 2);
  assert.match(conflict.stderr, /`fixed\.learning_rate` differs: 0\.003 vs 0\.1/);
});
