// End-to-end: the compiled CLI (dist/, built by `npm test`) refuses bad specs and bad starts with exit code 2,
// naming the field, and creates no study until every start-up check has passed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';

const CLI = resolve('dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'hz-e2e-spec-'));

function hz(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, HYPERZONE_TFJS_BACKEND: process.env.HYPERZONE_TFJS_BACKEND ?? 'wasm' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Writes a spec file `file`.yaml for study `study` with the given space/fixed/trainer lines. */
function spec(file: string, body: string, study = file): string {
  const p = join(dir, `${file}.yaml`);
  writeFileSync(p, `study: ${study}\nbudget: { epochs: 1 }\n${body}\n`);
  return p;
}

const tfjsTrainer = 'trainer: { type: tfjs, dataset: mnist, train_limit: 200, test_limit: 50 }';
const goodSpace = 'space: { units: [8] }\nfixed: { batch_size: 64 }';

/** Names of the studies in a SQLite storage file (none when the file does not exist). */
function studies(db: string): string[] {
  if (!existsSync(db)) return [];
  const d = new Database(db, { readonly: true });
  try {
    return (d.prepare('SELECT name FROM studies ORDER BY name').all() as { name: string }[]).map((r) => r.name);
  } catch (e) {
    if (/no such table/.test(String(e))) return [];
    throw e;
  } finally {
    d.close();
  }
}

test('unknown or invalid trainer params fail at start with exit code 2, naming the field; no study is created', () => {
  const db = join(dir, 'params.db');
  const cases: [string, RegExp][] = [
    ['space: { units: [8], momentum: [0.5, 0.99] }\nfixed: { batch_size: 64 }', /Unknown param `space\.momentum`: the tfjs trainer accepts units, units_1…/],
    ['space: { unit: [8] }\nfixed: { batch_size: 64 }', /Unknown param `space\.unit` \(did you mean `units`\?\)/],
    ['space: { units: [8], activation: [relu, sigmoidx] }\nfixed: { batch_size: 64 }', /Expected `space\.activation\[1\]` to be one of relu, tanh, sigmoid, elu, linear, got "sigmoidx"/],
    ['space: { units: [8] }\nfixed: { batch_size: 64, lr_schedule: "step:0" }', /Expected `fixed\.lr_schedule` to be 'none', 'step:N\[:F\]'.*got "step:0"/],
    ['space: { units: [8] }\nfixed: { batch_size: 64, activaton: relu }', /Unknown param `fixed\.activaton` \(did you mean `activation`\?\)/],
    ['space: { units: [32, "abc"] }\nfixed: { batch_size: 64 }', /Expected `space\.units\[1\]` to be an integer ≥ 1, got "abc"/],
  ];
  for (const [i, [body, message]] of cases.entries()) {
    const r = hz(['run', spec(`params-${i}`, `${body}\n${tfjsTrainer}`), '--storage', db]);
    assert.equal(r.code, 2, `${body}\n${r.stderr}`);
    assert.match(r.stderr, message);
  }
  assert.deepEqual(studies(db), []);
});

test('generic spec errors give the accepted forms', () => {
  const db = join(dir, 'forms.db');
  const unknownSampler = hz(['run', spec('forms-1', `${goodSpace}\n${tfjsTrainer}\nsampler: { type: bayes }`), '--storage', db]);
  assert.equal(unknownSampler.code, 2);
  assert.match(unknownSampler.stderr, /Expected `sampler\.type` to be one of grid, random, tpe, sobol, gp, auto, controller, zones-nd, nsga2, motpe, zones, got "bayes"/);
  const noTrials = hz(['run', spec('forms-2', `${goodSpace}\n${tfjsTrainer}\nsampler: { type: random }`), '--storage', db]);
  assert.equal(noTrials.code, 2);
  assert.match(noTrials.stderr, /`sampler\.trials` is required for random/);
  assert.deepEqual(studies(db), []);
});

test('failed start-up checks create no study, so the corrected spec then runs under the same name', () => {
  const db = join(dir, 'startup.db');
  const missingData = hz(['run', spec('fix-me', `${goodSpace}\ntrainer: { type: tfjs, dataset: { idx: ${join(dir, 'no-such-dir')} } }`), '--storage', db]);
  assert.equal(missingData.code, 2, missingData.stderr);
  assert.match(missingData.stderr, /no-such-dir/);
  const parallel0 = hz(['run', spec('fix-me', `${goodSpace}\n${tfjsTrainer}`), '--storage', db, '--parallel', '0']);
  assert.equal(parallel0.code, 2);
  assert.match(parallel0.stderr, /`--parallel` to be an integer ≥ 1, got "0"/);
  const missingCommand = hz(['run', spec('fix-me', `${goodSpace}\ntrainer: { type: command, command: [${join(dir, 'no-such-trainer.sh')}] }`), '--storage', db]);
  assert.equal(missingCommand.code, 2, missingCommand.stderr);
  assert.match(missingCommand.stderr, /no-such-trainer\.sh/);
  assert.deepEqual(studies(db), [], 'no failed start left a study behind');

  const fixed = hz(['run', spec('fix-me', `${goodSpace}\n${tfjsTrainer}`), '--storage', db, '--parallel', '1', '--quiet']);
  assert.equal(fixed.code, 0, fixed.stderr);
  assert.match(fixed.stdout, /1 complete, 0 pruned, 0 failed/);
});

test('resume: a different definition names the field; a sampler switch names sampler.type old and new', () => {
  const db = join(dir, 'resume.db');
  const grid = spec('resume', `${goodSpace}\n${tfjsTrainer}\nsampler: { type: grid }`);
  assert.equal(hz(['create', grid, '--storage', db]).code, 0);
  const otherData = hz(['run', spec('resume-2', `${goodSpace}\ntrainer: { type: tfjs, dataset: fashion-mnist, train_limit: 200, test_limit: 50 }`, 'resume'), '--storage', db]);
  assert.equal(otherData.code, 2, otherData.stderr);
  assert.match(otherData.stderr, /Study `resume` already exists with a different `trainer\.dataset`: stored "mnist", this spec "fashion-mnist"/);
  const random = spec('resume-3', `${goodSpace}\n${tfjsTrainer}\nsampler: { type: random, trials: 2 }`, 'resume');
  const switched = hz(['run', random, '--storage', db]);
  assert.equal(switched.code, 2, switched.stderr);
  assert.match(switched.stderr, /Study `resume` was run with `sampler\.type` "grid", this spec has "random".*--allow-sampler-change/);
  assert.equal(hz(['create', random, '--storage', db]).code, 2, 'create refuses the switch too');
});

test('a metric line with a string objective value fails the trial with the reason', () => {
  const db = join(dir, 'metric.db');
  const script = join(dir, 'high.sh');
  writeFileSync(script, '#!/bin/sh\necho \'{"step": 1, "val_accuracy": "high"}\'\n');
  chmodSync(script, 0o755);
  const r = hz(['run', spec('metric', `space: { units: [8] }\ntrainer: { type: command, command: [${script}] }`), '--storage', db, '--quiet']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /0 complete, 0 pruned, 1 failed/);
  const show = hz(['show', '0', '--storage', db, '--study', 'metric']);
  assert.match(show.stdout, /Expected the objective metric `val_accuracy` to be a number, got "high"/);
});
