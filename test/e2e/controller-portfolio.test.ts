// End-to-end, as a user would: studies on two tasks through the compiled CLI (dist/), `controller train` on both,
// `controller inspect` shows the learned portfolio, and a study on a third task with `sampler: { type: controller,
// start: portfolio }` begins with the portfolio's configurations in order, then auto. A model trained on one study has
// no portfolio: exit 2 naming `sampler.start`, and no study is created.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrialRecord } from '../../src/core/types.js';
import { Surrogate } from '../../src/controller/surrogate.js';
import { cliIn } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'hz-portfolio-e2e-'));
const hz = cliIn(dir);
const space = { x: { type: 'float', low: 0, high: 1 }, y: { type: 'float', low: 0, high: 1 } } as const;
// A task: its optimum at (cx, 0.3), given on the command line.
const trainer = join(dir, 'trainer.mjs');
writeFileSync(trainer, `import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.env.HZ_PARAMS_FILE, 'utf8'));
const cx = Number(process.argv[2]);
console.log(JSON.stringify({ step: 1, acc: 1 - (p.x - cx) ** 2 - (p.y - 0.3) ** 2 }));
`);
const spec = (name: string, cx: number, sampler: string, seed = 5) => {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, `study: ${name}
space: ${JSON.stringify(space)}
objective: { metric: acc, direction: maximize }
trainer: { type: command, command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(trainer)}, "${cx}"] }
parallel: 1
seed: ${seed}
sampler: ${sampler}
`);
  return path;
};

test('controller train on two studies learns a portfolio; start: portfolio replays it in a new study; one study: exit 2 naming sampler.start', () => {
  const db = join(dir, 'p.db');
  for (const [name, cx, seed] of [['task-a', 0.2, 1], ['task-b', 0.7, 2]] as const) {
    const r = hz(['run', spec(name, cx, '{ type: random, trials: 24 }', seed), '--storage', db, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
  }
  const train = hz(['controller', 'train', '--storage', db, '-o', 'model.json', '--members', '1', '--epochs', '3', '--hidden', '8', '--validation-share', '0', '--portfolio-size', '4']);
  assert.equal(train.code, 0, train.stderr);
  const model = Surrogate.load(join(dir, 'model.json'));
  const pf = model.json.portfolio;
  assert.ok(pf !== undefined, 'trained on two studies: a portfolio');
  assert.equal(pf.params.length, 4);
  assert.equal(pf.groups, 2);
  assert.equal(pf.candidates, 48);
  const inspect = hz(['controller', 'inspect', 'model.json']);
  assert.equal(inspect.code, 0, inspect.stderr);
  assert.match(inspect.stdout, /warm-start portfolio \(`start: portfolio`\): 4 configurations chosen from 48 \(0 run in two or more of its 2 groups\)/);
  // The portfolio's first two members are the two tasks' best configurations (no configuration is shared).
  const exported = (study: string) => (JSON.parse(hz(['export', '--storage', db, '--study', study, '--format', 'json']).stdout) as { trials: TrialRecord[] }).trials;
  const bestOf = (study: string) => exported(study).reduce((a, b) => ((b.value as number) > (a.value as number) ? b : a)).params;
  assert.deepEqual(new Set(pf.params.slice(0, 2).map((p) => JSON.stringify(p))), new Set([bestOf('task-a'), bestOf('task-b')].map((p) => JSON.stringify(p))));
  const run = hz(['run', spec('task-c', 0.45, '{ type: controller, trials: 7, model: model.json, warm: 4, start: portfolio }'), '--storage', db, '--quiet']);
  assert.equal(run.code, 0, run.stderr);
  const trials = exported('task-c').sort((a, b) => a.number - b.number);
  assert.equal(trials.length, 7);
  assert.deepEqual(trials.slice(0, 4).map((t) => t.params), pf.params, 'the warm trials are the portfolio, in order');
  assert.deepEqual(trials.map((t) => (t.attrs['controller.warm'] as { portfolio?: number } | undefined)?.portfolio ?? null), [0, 1, 2, 3, null, null, null]);
  // One study only: no portfolio, refused before anything runs.
  assert.equal(hz(['controller', 'train', '--storage', db, '--study', 'task-a', '-o', 'one.json', '--members', '1', '--epochs', '2', '--hidden', '4', '--validation-share', '0']).code, 0);
  const one = hz(['run', spec('task-d', 0.45, '{ type: controller, trials: 5, model: one.json, start: portfolio }'), '--storage', db]);
  assert.equal(one.code, 2, one.stderr);
  assert.match(one.stderr, /Expected `sampler\.start` = "portfolio" with a model that has a portfolio; "one\.json" has none/);
  assert.match(hz(['controller', 'inspect', 'one.json']).stdout, /no warm-start portfolio/);
  assert.doesNotMatch(hz(['list', '--storage', db]).stdout, /task-d/, 'no study for a refused spec');
});
