import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const reporter = fileURLToPath(new URL('./skip-summary.mjs', import.meta.url));

function runWithReporter(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hz-skips-'));
  writeFileSync(join(dir, 'a.test.mjs'), source);
  // Without NODE_TEST_CONTEXT, which would make the inner runner report to this one instead of to its reporters.
  const { NODE_TEST_CONTEXT: _context, ...env } = process.env;
  const r = spawnSync(process.execPath, ['--test', `--test-reporter=${reporter}`, '--test-reporter-destination=stdout', 'a.test.mjs'], { cwd: dir, encoding: 'utf8', env, timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('lists every skipped test and suite under its reason, after the run', () => {
  const out = runWithReporter(`import { describe, it, test } from 'node:test';
test('one', { skip: 'no PyTorch' }, () => {});
test('two', { skip: 'no PyTorch' }, () => {});
describe('suite', { skip: 'no PostgreSQL' }, () => { it('inner', () => {}); });
test('runs', () => {});
test('bare', { skip: true }, () => {});
test('at run time', (t) => { t.skip('decided inside'); });
`);
  assert.equal(out, [
    '',
    '# skipped: 5 (tests and suites; a skipped suite counts once), by reason',
    '# - no PyTorch',
    '#     a.test.mjs: one',
    '#     a.test.mjs: two',
    '# - no PostgreSQL',
    '#     a.test.mjs: suite',
    '# - (no reason given)',
    '#     a.test.mjs: bare',
    '# - decided inside',
    '#     a.test.mjs: at run time',
    '',
  ].join('\n'));
});

test('says so when nothing was skipped', () => {
  assert.equal(runWithReporter(`import { test } from 'node:test';\ntest('runs', () => {});\n`), '\n# skipped: none\n');
});
