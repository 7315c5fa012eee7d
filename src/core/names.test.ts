import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from './errors.js';
import { checkStudyName, isStudyName } from './names.js';

describe('study names', () => {
  it('accepts plain names', () => {
    for (const ok of ['a', 'mnist-fnn-grid', 'run_2.v3', 'A'.repeat(128), '0abc', 'a..b']) assert.ok(isStudyName(ok), ok);
  });

  it('refuses paths, quotes, spaces, leading dots, control characters and long names, naming the field and value', () => {
    for (const bad of ['', '..', '.hidden', '../../../../escaped_logs', 'a/b', 'a\\b', "x'; DROP TABLE hz_studies; --", 'two words', 'a\u0000b', '-flag', 'A'.repeat(129), 'ünïcode']) {
      assert.ok(!isStudyName(bad), bad);
      assert.throws(() => checkStudyName(bad), (e: unknown) => e instanceof InputError && e.message.includes('`--study`') && e.message.includes(JSON.stringify(bad)));
    }
    assert.throws(() => checkStudyName('a b', 'study'), /`study`/);
  });
});
