// End-to-end: `scheduler: { type: curve-extrapolation, model: FILE }` through the compiled CLI (dist/): a missing
// budget, a bad model or a bad threshold is refused with exit code 2 naming the field, before any study exists; a
// good model stops trials whose predicted final value cannot beat the incumbent, and each stopped trial records why.
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

const dir = mkdtempSync(join(tmpdir(), 'hz-ce-e2e-'));
const hz = cliIn(dir);
const space = { x: { type: 'float', low: 0, high: 1 } } as const;
/** A curve that rises to its final value 0.2 + 0.7x: its early epochs already say where it ends. */
const curve = (x: number, epochs: number): number[] => Array.from({ length: epochs }, (_, t) => (0.2 + 0.7 * x) * (1 - 0.5 * Math.exp(-(t + 1))));
const trainer = join(dir, 'trainer.mjs');
writeFileSync(trainer, `import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.env.HZ_PARAMS_FILE, 'utf8'));
const epochs = Number(process.env.HZ_BUDGET);
for (let t = 0; t < epochs; t++) console.log(JSON.stringify({ step: t + 1, acc: (0.2 + 0.7 * p.x) * (1 - 0.5 * Math.exp(-(t + 1))) }));
`);
const spec = (name: string, scheduler: string, budget = 'budget: { epochs: 8 }\n') => {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, `study: ${name}
space: ${JSON.stringify(space)}
objective: { metric: acc, direction: maximize }
trainer: { type: command, command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(trainer)}] }
${budget}parallel: 1
seed: 3
sampler: { type: random, trials: 14 }
scheduler: ${scheduler}
`);
  return path;
};

test('curve-extrapolation scheduler from the CLI: exit 2 naming the field; stops hopeless trials with the reason stored', async () => {
  const db = join(dir, 'c.db');
  const s = Space.fromSpec(space);
  const rng = new Rng(1);
  const examples: Example[] = Array.from({ length: 150 }, (_, i) => {
    const p = s.sample(rng);
    const c = curve(p['x'] as number, 8);
    return { params: p, curve: c, budget: 8, final: c[7] as number, group: String(i % 3) };
  });
  const model = await Surrogate.train(s, 'maximize', examples, { members: 2, hidden: [16, 16], epochs: 40, seed: 1, validationShare: 0, backend: 'wasm' });
  model.save(join(dir, 'model.json'));

  const refused = [
    [spec('nobudget', '{ type: curve-extrapolation, model: model.json }', ''), /Missing field `budget\.epochs`: `scheduler\.type` "curve-extrapolation"/],
    [spec('missing', '{ type: curve-extrapolation, model: nope.json }'), /Expected `scheduler\.model` to be a controller model file .*"nope\.json"/],
    [spec('threshold', '{ type: curve-extrapolation, model: model.json, threshold: 1.5 }'), /scheduler\.threshold/],
    [spec('descriptors', '{ type: curve-extrapolation, model: model.json, descriptors: { rows: 3 } }'), /Expected `scheduler\.descriptors` to name descriptors the model was trained with \(none\), got `rows`/],
  ] as const;
  for (const [path, message] of refused) {
    const r = hz(['run', path, '--storage', db]);
    assert.equal(r.code, 2, `${path}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  assert.equal(hz(['list', '--storage', db]).stdout.match(/nobudget|missing|threshold|descriptors/), null, 'no study for a refused spec');

  const ok = hz(['run', spec('ce', '{ type: curve-extrapolation, model: model.json, threshold: 0.05 }'), '--storage', db, '--quiet']);
  assert.equal(ok.code, 0, ok.stderr);
  const { trials } = JSON.parse(hz(['export', '--storage', db, '--study', 'ce', '--format', 'json']).stdout) as { trials: TrialRecord[] };
  assert.equal(trials.length, 14);
  const pruned = trials.filter((t) => t.state === 'pruned');
  assert.ok(pruned.length >= 3, `${pruned.length} of 14 trials stopped`);
  let best = -Infinity;
  for (const t of trials) {
    if (t.state === 'pruned') {
      const why = t.attrs['controller.stop'] as { step: number; predicted: number; incumbent: number; pBetter: number };
      assert.ok(why !== undefined, `trial ${t.number} stopped without a reason`);
      assert.ok(why.pBetter < 0.05 && why.step < 8 && why.incumbent === best, JSON.stringify(why));
      // It was truly worse: its final value (known here) is below the incumbent it was stopped against.
      assert.ok((curve(t.params['x'] as number, 8)[7] as number) < best);
    } else if (t.state === 'complete') best = Math.max(best, t.value as number);
  }
});
