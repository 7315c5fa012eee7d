import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchData, present, skipUnless, torch, type Peer } from './peers.js';

const here: Peer = { name: 'Here', requireVar: 'HZ_REQUIRE_HERE', missing: null };
const gone: Peer = { name: 'Gone', requireVar: 'HZ_REQUIRE_GONE', missing: 'gone is not installed' };

test('skipUnless: false when every peer is present, else each missing reason with its HZ_REQUIRE_* variable', () => {
  assert.equal(skipUnless(here), false);
  assert.equal(skipUnless(here, gone), 'gone is not installed (HZ_REQUIRE_GONE=1 makes this a failure)');
  assert.equal(present(here), true);
  assert.equal(present(here, gone), false);
});

test('HZ_PYTHON and HZ_BENCH_DATA move the peers: a missing interpreter or folder is a reason, not a crash', () => {
  const run = (env: Record<string, string>, code: string): string => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)), encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  const imp = "import * as p from './test/support/peers.ts';";
  assert.match(run({ HZ_PYTHON: '/nonexistent/python3' }, `${imp} console.log(p.torch().missing)`), /^cannot run \/nonexistent\/python3 \(ENOENT\) to import torch: install Debian's python3-torch/);
  assert.match(run({ HZ_BENCH_DATA: '/nonexistent/data' }, `${imp} console.log(p.benchData('x.csv.gz').missing)`), /^benchmark data \/nonexistent\/data\/x\.csv\.gz is absent: run `node scripts\/fetch-benchmarks\.mjs --out "\$HZ_BENCH_DATA"`/);
  assert.equal(typeof torch().name, 'string');
  assert.equal(benchData('a', 'b').name, 'benchmark data a/b');
});

test('with HZ_REQUIRE_<PEER>=1 a missing peer is one failing test naming it, and the tests needing it skip', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hz-peers-'));
  const file = join(dir, 'needs.test.ts');
  const peers = fileURLToPath(new URL('./peers.ts', import.meta.url));
  writeFileSync(file, `import { test } from 'node:test';
import { skipUnless } from ${JSON.stringify(peers)};
const gone = { name: 'Gone', requireVar: 'HZ_REQUIRE_GONE', missing: 'gone is not installed' };
test('needs gone', { skip: skipUnless(gone) }, () => {});
test('needs gone too', { skip: skipUnless(gone) }, () => {});
`);
  // Without NODE_TEST_CONTEXT, which would make the inner runner report to this one instead of printing.
  const { NODE_TEST_CONTEXT: _context, ...outer } = process.env;
  const run = (env: Record<string, string>) => spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', file], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)), encoding: 'utf8', env: { ...outer, HZ_REQUIRE_GONE: '', ...env }, timeout: 120_000,
  });
  const relaxed = run({});
  assert.equal(relaxed.status, 0, relaxed.stdout);
  assert.match(relaxed.stdout, /ok 1 - needs gone # SKIP gone is not installed \(HZ_REQUIRE_GONE=1 makes this a failure\)/);
  const strict = run({ HZ_REQUIRE_GONE: '1' });
  assert.equal(strict.status, 1, strict.stdout);
  assert.equal(strict.stdout.match(/^not ok \d+ - HZ_REQUIRE_GONE=1 requires Gone$/gm)?.length, 1, strict.stdout);
  assert.match(strict.stdout, /HZ_REQUIRE_GONE=1 but gone is not installed/);
});
