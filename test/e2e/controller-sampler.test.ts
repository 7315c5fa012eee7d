// End-to-end: `sampler: { type: controller, model: FILE }` through the compiled CLI (dist/): a bad model is refused
// with exit code 2 naming `sampler.model` before any study exists; a good one warm-starts the study, then auto runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrialRecord } from '../../src/core/types.js';
import { Surrogate } from '../../src/controller/surrogate.js';
import type { Example } from '../../src/controller/features.js';
import { Space } from '../../src/space/space.js';
import { Rng } from '../../src/core/rng.js';
import { cliIn } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'hz-ctl-e2e-'));
const hz = cliIn(dir);
const space = { x: { type: 'float', low: 0, high: 1 }, y: { type: 'float', low: 0, high: 1 } } as const;
const trainer = join(dir, 'trainer.mjs');
writeFileSync(trainer, `import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.env.HZ_PARAMS_FILE, 'utf8'));
console.log(JSON.stringify({ step: 1, acc: 1 - (p.x - 0.8) ** 2 - (p.y - 0.3) ** 2 }));
`);
const spec = (name: string, sampler: string) => {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, `study: ${name}
space: ${JSON.stringify(space)}
objective: { metric: acc, direction: maximize }
trainer: { type: command, command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(trainer)}] }
parallel: 1
seed: 3
sampler: ${sampler}
`);
  return path;
};

test('controller sampler from the CLI: exit 2 naming sampler.model for a bad model; warm trials then auto for a good one', async () => {
  const db = join(dir, 'c.db');
  const missing = hz(['run', spec('missing', '{ type: controller, trials: 6, model: nope.json }'), '--storage', db]);
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /Expected `sampler\.model` to be a controller model file .*"nope\.json"/);
  // Other tasks of the same space: shifted levels, the same shape.
  const s = Space.fromSpec(space);
  const rng = new Rng(1);
  const examples: Example[] = Array.from({ length: 60 }, (_, i) => {
    const p = s.sample(rng);
    const v = 0.5 + 0.1 * (i % 3) - ((p['x'] as number) - 0.8) ** 2 - ((p['y'] as number) - 0.3) ** 2;
    return { params: p, curve: [v], budget: 1, final: v, group: String(i % 3) };
  });
  const model = await Surrogate.train(s, 'maximize', examples, { members: 2, hidden: [8], epochs: 5, seed: 1, validationShare: 0, backend: 'wasm' });
  model.save(join(dir, 'model.json'));
  const wrong = await Surrogate.train(Space.fromSpec({ x: space.x }), 'maximize', examples, { members: 1, hidden: [4], epochs: 1, seed: 1, validationShare: 0, backend: 'wasm' });
  wrong.save(join(dir, 'wrong.json'));
  const bad = hz(['run', spec('wrong', '{ type: controller, trials: 6, model: wrong.json }'), '--storage', db]);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /`sampler\.model` "wrong\.json" to fit the study's space: it was trained on params x; the space has x, y/);
  const ok = hz(['run', spec('warm', '{ type: controller, trials: 6, model: model.json, warm: 3 }'), '--storage', db, '--quiet']);
  assert.equal(ok.code, 0, ok.stderr);
  const exported = JSON.parse(hz(['export', '--storage', db, '--study', 'warm', '--format', 'json']).stdout) as { trials: TrialRecord[] };
  assert.equal(exported.trials.length, 6);
  assert.deepEqual(exported.trials.map((t) => t.attrs['controller.warm'] !== undefined), [true, true, true, false, false, false]);
  const list = hz(['list', '--storage', db]);
  assert.doesNotMatch(list.stdout, /missing|wrong/, 'no study for a refused spec');
});
