import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolve, join } from 'node:path';
import { pathUnder } from './paths.js';

describe('pathUnder', () => {
  it('joins names that stay inside the root', () => {
    assert.equal(pathUnder('.hyperzone/logs', 'my-study'), resolve('.hyperzone/logs/my-study'));
    assert.equal(pathUnder('/tmp/x', 'a', 'b.json'), join('/tmp/x', 'a', 'b.json'));
    assert.equal(pathUnder('/tmp/x', 'a..b'), '/tmp/x/a..b');
  });

  it('refuses names that leave the root or are the root, naming both', () => {
    for (const bad of ['../../../../escaped_logs', '..', '.', '', 'a/../../b', '/etc/passwd']) {
      assert.throws(() => pathUnder('/tmp/x', bad), (e: unknown) => e instanceof Error && (e as { code?: string }).code === 'INVALID_INPUT' && e.message.includes('/tmp/x'), bad);
    }
  });
});
