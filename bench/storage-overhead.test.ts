import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Quick mode only checks that every backend runs and the comparison table prints (no timing assertions).
it('storage-overhead --quick prints the comparison table', { timeout: 120_000 }, () => {
  const script = fileURLToPath(new URL('./storage-overhead.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, '--quick'], { encoding: 'utf8', timeout: 110_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\| backend \| workers \| trials in study \|/);
  for (const backend of ['memory', 'sqlite', 'postgres']) {
    for (const w of [1, 4, 16]) assert.match(r.stdout, new RegExp(`\\| ${backend} \\| ${w} \\| 0 \\| \\d+\\.\\d+ \\|`));
    assert.match(r.stdout, new RegExp(`\\| ${backend} \\| 1 \\| 50 \\| \\d+\\.\\d+ \\|`));
  }
  assert.match(r.stdout, /optuna +workers= 1 study= +0 +\d+\.\d+ ms\/trial/);
  assert.match(r.stdout, /\| postgres \| 1 \| 0 \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+× \|/);
});
