import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const hasOptuna = spawnSync('/usr/bin/python3', ['-c', 'import optuna'], { stdio: 'ignore' }).status === 0;

test('quick strategy benchmark prints a row per strategy for each problem', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/strategies.ts', '--quick'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout;
  const sections = out.split('\n## ').slice(1);
  const synthetic = sections.find((s) => s.startsWith('synthetic'));
  const branin = sections.find((s) => s.startsWith('branin'));
  assert.ok(synthetic && branin, out);
  const rows = (s: string): string[] => s.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| strategy') && !l.startsWith('| sampler')).map((l) => (l.split('|')[1] ?? '').trim());
  const hz = ['hyperzone random', 'hyperzone sobol', 'hyperzone tpe', 'hyperzone tpe-multivariate'];
  const opt = hasOptuna ? ['optuna random (cat)', 'optuna tpe (cat)', 'optuna tpe (ordered)', 'optuna tpe-multivariate (cat)', 'optuna tpe-multivariate (ordered)'] : [];
  assert.deepEqual(rows(synthetic), [...hz, ...opt]);
  assert.deepEqual(rows(branin), [...hz, ...(hasOptuna ? ['optuna random', 'optuna tpe', 'optuna tpe-multivariate'] : [])]);
  // Each row has one median (IQR) cell per budget (10, 20) and a timing.
  for (const l of synthetic.split('\n').filter((x) => x.startsWith('| hyperzone'))) assert.match(l, /^\| [^|]+ \| [^|]+ \([^|]+\) \| [^|]+ \([^|]+\) \| [\d.]+ \|$/);
  const overhead = sections.find((s) => s.startsWith('Sampler overhead'));
  assert.ok(overhead);
  assert.deepEqual(rows(overhead), hz);
});
