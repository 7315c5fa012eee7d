import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fetchScript = (...args: string[]) => spawnSync(process.execPath, ['scripts/fetch-benchmarks.mjs', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });

test('fetch-benchmarks --list prints every file with its pinned source and checksums', () => {
  const r = fetchScript('--list');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.match(/^\S.*\n {2}from https:\/\/raw\.githubusercontent\.com\/\S+\n {2}SHA-256 [0-9a-f]{64}/gm)?.length, 10, r.stdout);
  assert.match(r.stdout, /^fcnet-naval_propulsion\.csv\.gz\n.*\n {2}SHA-256 01cf244c\w+ \(written: f0715e92\w+\)$/m);
});

test('fetch-benchmarks: an unknown option exits 2 with the usage; a missing download exits 1 naming it', () => {
  const bad = fetchScript('--bogus');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /Unknown option --bogus; usage: node scripts\/fetch-benchmarks\.mjs \[--out DIR\] \[--from DIR\] \[--list\]/);
  const empty = mkdtempSync(join(tmpdir(), 'hz-from-'));
  const missing = fetchScript('--from', empty, '--out', mkdtempSync(join(tmpdir(), 'hz-out-')));
  assert.equal(missing.status, 1);
  assert.match(missing.stdout, /^download FCNet naval_propulsion/m);
  assert.match(missing.stderr, new RegExp(`fetch-benchmarks: Expected the download of \\S+naval_propulsion\\.pkl at ${join(empty, 'naval_propulsion.pkl').replace(/[.]/g, '\\.')}`));
});
