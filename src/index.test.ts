// The README's library example, as a test: the public entry point works as documented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Study, TpeSampler } from './index.js';

test('README library example: TPE on a quadratic in a SQLite file, then ask/tell', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hz-lib-'));
  const study = await Study.create({
    space: { x: { type: 'float', low: -5, high: 5 }, y: { type: 'int', low: 0, high: 10 } },
    direction: 'minimize',
    sampler: new TpeSampler({ multivariate: true }),
    storage: join(dir, 'studies.db'),
    name: 'quadratic',
  });
  await study.optimize(async (trial) => {
    const { x, y } = trial.params as { x: number; y: number };
    return (x - 1) ** 2 + y;
  }, { nTrials: 60 });
  const best = await study.bestTrial();
  assert.ok(best && best.value !== null && best.value < 0.5, `TPE should get near the minimum 0 (random search gets under 0.5 in about half of such runs), got ${best?.value}`);
  const t = await study.ask();
  await study.tell(t.id, 0.5);
  assert.equal((await study.trials()).length, 61);
  await study.storage.close();
});
