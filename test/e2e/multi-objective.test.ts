// End-to-end: a two-objective study through the compiled CLI (dist/), with a command trainer written in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TrialRecord } from '../../src/core/types.js';
import { paretoTrials } from '../../src/stats/pareto.js';

const CLI = resolve('dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'hz-mo-'));
const hz = (args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

// acc rises with x and falls with y; parameters fall with x... no: rise with x and with y. So y only hurts, and the
// front is the trials with the smallest y for their x.
const trainer = join(dir, 'trainer.mjs');
writeFileSync(trainer, `import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.env.HZ_PARAMS_FILE, 'utf8'));
console.log(JSON.stringify({ step: 1, acc: p.x * (1 - 0.5 * p.y) }));
console.log(JSON.stringify({ final: { parameters: Math.round(1000 * p.x ** 2 + 500 * p.y) } }));
`);
const spec = (name: string, extra: string) => {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, `study: ${name}
space: { x: { type: float, low: 0, high: 1 }, y: { type: float, low: 0, high: 1 } }
trainer: { type: command, command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(trainer)}] }
parallel: 1
seed: 5
${extra}`);
  return path;
};

test('run, status and show a two-objective study: values per trial, the Pareto front and its hypervolume', () => {
  const db = join(dir, 'mo.db');
  const r = hz(['run', spec('mo', 'objectives: [{ metric: acc, direction: maximize }, { metric: parameters, direction: minimize }]\nsampler: { type: random, trials: 12 }'), '--storage', db, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Pareto front: \d+ of 12 complete trials; hypervolume 0\.\d+/);
  const exported = JSON.parse(hz(['export', '--storage', db, '--format', 'json']).stdout) as { study: { objectives: unknown }; trials: TrialRecord[] };
  assert.deepEqual(exported.study.objectives, [{ metric: 'acc', direction: 'maximize' }, { metric: 'parameters', direction: 'minimize' }]);
  for (const t of exported.trials) {
    const x = t.params.x as number, y = t.params.y as number;
    assert.deepEqual(t.values, [x * (1 - 0.5 * y), Math.round(1000 * x ** 2 + 500 * y)]);
  }
  const front = paretoTrials(exported.trials, ['maximize', 'minimize']).map((t) => t.number).sort((a, b) => a - b);
  const s = hz(['status', '--storage', db]);
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stdout, /study mo \(maximize acc, minimize parameters\)/);
  assert.match(s.stdout, new RegExp(`Pareto front: ${front.length} of 12 complete trials`));
  const section = s.stdout.slice(s.stdout.indexOf('Pareto front'), s.stdout.indexOf('\n\n', s.stdout.indexOf('Pareto front')));
  const shown = [...section.matchAll(/^\s*(\d+)\s/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
  assert.deepEqual(shown, front, 'the table lists exactly the non-dominated trials');
  assert.match(s.stdout, /acc \(max\)\s+parameters \(min\)/);
  assert.doesNotMatch(s.stdout, /^best: /m, 'no single best in a multi-objective study');
  const show = hz(['show', String(front[0]), '--storage', db]);
  assert.match(show.stdout, /complete, acc = [\d.]+, parameters = [\d,]+/);
  const csv = hz(['export', '--storage', db]).stdout;
  assert.match(csv.split('\n')[0] ?? '', /,value,values,/);
  // The report draws the same front: a chart whose listed trials are the non-dominated ones, and the summary says so.
  const rep = hz(['report', '--storage', db, '-o', join(dir, 'mo.html'), '--svg-dir', join(dir, 'svg')]);
  assert.equal(rep.code, 0, rep.stderr);
  assert.match(rep.stderr, /wrote .*mo\.html: history, front,/);
  const svg = readFileSync(join(dir, 'svg', 'front.svg'), 'utf8');
  const listed = [...svg.matchAll(/<g class="front-row"><text[^>]*>(\d+)<\/text>/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
  assert.deepEqual(listed, front, 'the report lists exactly the non-dominated trials');
  assert.match(svg, /hypervolume 0\.\d{4}/);
  const html = readFileSync(join(dir, 'mo.html'), 'utf8');
  assert.match(html, /Objectives: maximize acc, minimize parameters/);
  assert.match(html, new RegExp(`Pareto front: ${front.length} of 12 complete trials`));
});

test('a multi-objective spec with a single-objective sampler or a scheduler fails at start, naming the field (exit 2)', () => {
  const db = join(dir, 'bad.db');
  const tpe = hz(['run', spec('bad', 'objectives: [{ metric: acc, direction: maximize }, { metric: parameters, direction: minimize }]\nsampler: { type: tpe, trials: 5 }'), '--storage', db]);
  assert.equal(tpe.code, 2);
  assert.match(tpe.stderr, /`sampler.type` to be one of .* with 2 `objectives`, got "tpe"/);
  const both = hz(['run', spec('bad2', 'objective: { metric: acc, direction: maximize }\nobjectives: [{ metric: acc, direction: maximize }]\nsampler: { type: random, trials: 5 }'), '--storage', db]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /one of `objective` .* and `objectives`/);
});
