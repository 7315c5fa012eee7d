import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeXml, truncate, wrapText } from './escape.js';
import { parseXml } from './test-support.js';

test('escapeXml escapes markup characters and quotes', () => {
  assert.equal(escapeXml(`<a href="x">Tom & 'Jerry'</a>`), '&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;');
  assert.equal(escapeXml(42), '42');
  assert.equal(escapeXml('&amp;'), '&amp;amp;'); // escaping is not idempotent on purpose: text is text
});

test('escapeXml replaces characters XML 1.0 forbids, keeps tabs, newlines and astral characters', () => {
  assert.equal(escapeXml('a\u0000b\u001Fc\uFFFEd'), 'a\uFFFDb\uFFFDc\uFFFDd');
  assert.equal(escapeXml('t\tn\nr\r'), 't\tn\nr\r');
  assert.equal(escapeXml('lone \uD800 high'), 'lone \uFFFD high');
  assert.equal(escapeXml('lone \uDC00 low'), 'lone \uFFFD low');
  assert.equal(escapeXml('emoji 😀'), 'emoji 😀');
});

test('escaped hostile text stays well-formed inside an element and an attribute', () => {
  const evil = `</text><script>alert("x")</script>\u0001 & ]]> "'`;
  const doc = parseXml(`<svg xmlns="http://www.w3.org/2000/svg"><text data-x="${escapeXml(evil)}">${escapeXml(evil)}</text></svg>`);
  const t = doc.getElementsByTagName('text')[0];
  assert.equal(t?.textContent, evil.replace('\u0001', '\uFFFD'));
  assert.equal(t?.getAttribute('data-x'), evil.replace('\u0001', '\uFFFD'));
  assert.equal(doc.getElementsByTagName('script').length, 0);
});

test('truncate and wrapText', () => {
  assert.equal(truncate('abcdef', 6), 'abcdef');
  assert.equal(truncate('abcdefg', 6), 'abcde…');
  assert.deepEqual(wrapText('aa bb cc dd', 5), ['aa bb', 'cc dd']);
  assert.deepEqual(wrapText('a verylongword b', 4), ['a', 'verylongword', 'b']);
  assert.deepEqual(wrapText('   ', 10), []);
});
