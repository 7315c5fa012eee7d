import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanError, cleanJson, cleanKey, cleanOutcome, cleanPlan, cleanText, MAX_ERROR_CHARS, MAX_KEY_CHARS } from './sanitize.js';

describe('sanitize', () => {
  it('replaces NUL and lone surrogates, keeps valid pairs and other text', () => {
    assert.equal(cleanText('a\u0000b'), 'a\uFFFDb');
    assert.equal(cleanText('\uD800'), '\uFFFD');
    assert.equal(cleanText('x\uDC00'), 'x\uFFFD');
    assert.equal(cleanText('\uDC00\uD800'), '\uFFFD\uFFFD', 'a reversed pair is two lone halves');
    assert.equal(cleanText('emoji 😀 ok'), 'emoji 😀 ok');
    const latin1 = Buffer.from([0xff, 0xfe, 0x41]).toString('latin1');
    assert.equal(cleanText(latin1), latin1);
    const s = 'plain';
    assert.equal(cleanText(s), s);
  });

  it('caps long text keeping head and tail around a marker, within the limit', () => {
    const text = 'H'.repeat(500) + 'M'.repeat(10_000) + 'T'.repeat(500);
    const out = cleanText(text, 2000);
    assert.ok(out.length <= 2000, String(out.length));
    assert.ok(out.startsWith('H'.repeat(500)));
    assert.ok(out.endsWith('T'.repeat(500)));
    const m = /…\[truncated (\d+) chars\]…/.exec(out);
    assert.ok(m);
    // The dropped count plus what is kept gives back the original length.
    assert.equal(Number(m[1]) + out.length - m[0].length - 2, text.length);
    assert.equal(cleanText('x'.repeat(2000), 2000), 'x'.repeat(2000));
  });

  it('never leaves half of a surrogate pair at a cut', () => {
    const text = '😀'.repeat(5000);
    for (const max of [100, 101, 102, 103]) {
      const out = cleanText(text, max);
      assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(out), `max ${max}`);
    }
  });

  it('errors keep head and tail up to MAX_ERROR_CHARS; keys are capped shorter', () => {
    const e = cleanError('start ' + 'x'.repeat(2 * MAX_ERROR_CHARS) + ' Traceback: the cause');
    assert.ok(e !== null && e.length <= MAX_ERROR_CHARS && e.startsWith('start ') && e.endsWith('the cause'));
    assert.equal(cleanError(null), null);
    assert.ok(cleanKey('k'.repeat(10_000)).length <= MAX_KEY_CHARS);
  });

  it('cleans JSON keys and strings deeply and returns the same object when nothing changes', () => {
    const clean = { a: 1, b: ['x', { c: true }], d: null };
    assert.equal(cleanJson(clean), clean);
    assert.deepEqual(cleanJson({ 'k\u0000': ['\uD800', { n: 'a\u0000' }], ok: 2 }), { 'k\uFFFD': ['\uFFFD', { n: 'a\uFFFD' }], ok: 2 });
  });

  it('cleans plans and outcomes', () => {
    const plan = { params: { x: 1 }, seed: 1, budget: null };
    assert.equal(cleanPlan(plan), plan);
    assert.deepEqual(cleanPlan({ params: { c: 'a\u0000' }, seed: 2, budget: 3, attrs: { t: '\uDC00' } }), { params: { c: 'a\uFFFD' }, seed: 2, budget: 3, attrs: { t: '\uFFFD' } });
    assert.deepEqual(cleanOutcome({ state: 'failed', error: 'x\u0000', retryable: true }), { state: 'failed', error: 'x\uFFFD', retryable: true });
    assert.deepEqual(cleanOutcome({ state: 'complete', value: 1, metrics: { ['m\u0000']: 2 } }), { state: 'complete', value: 1, metrics: { 'm\uFFFD': 2 } });
  });
});
