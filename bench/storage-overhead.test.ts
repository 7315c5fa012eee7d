import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as peers from '../test/support/peers.js';

const script = fileURLToPath(new URL('./storage-overhead.ts', import.meta.url));
const postgres = await peers.postgres();

function quick(...extra: string[]): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, '--quick', ...extra], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.error ? `${r.error.message} (a loaded machine?)` : r.stderr);
  assert.match(r.stdout, /\| backend \| workers \| trials in study \|/);
  return r.stdout;
}

// Quick mode only checks that every backend runs and the comparison table prints (no timing assertions).
it('storage-overhead --quick prints the comparison table for memory and SQLite', { timeout: 320_000 }, () => {
  const out = quick('--backends', 'memory,sqlite', '--no-optuna');
  for (const backend of ['memory', 'sqlite']) {
    for (const w of [1, 4, 16]) assert.match(out, new RegExp(`\\| ${backend} \\| ${w} \\| 0 \\| \\d+\\.\\d+ \\|`));
    assert.match(out, new RegExp(`\\| ${backend} \\| 1 \\| 50 \\| \\d+\\.\\d+ \\|`));
  }
  assert.doesNotMatch(out, /\| postgres \|/);
});

it('storage-overhead --quick prints the PostgreSQL rows beside Optuna\'s RDB storage', { timeout: 320_000, skip: peers.skipUnless(postgres, peers.optuna()) }, () => {
  const out = quick('--backends', 'postgres', '--pg', postgres.url ?? '');
  for (const w of [1, 4, 16]) assert.match(out, new RegExp(`\\| postgres \\| ${w} \\| 0 \\| \\d+\\.\\d+ \\|`));
  assert.match(out, /\| postgres \| 1 \| 50 \| \d+\.\d+ \|/);
  assert.match(out, /optuna +workers= 1 study= +0 +\d+\.\d+ ms\/trial/);
  assert.match(out, /\| postgres \| 1 \| 0 \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+× \|/);
});
