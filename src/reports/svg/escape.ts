/**
 * Text for XML and HTML: `&`, `<`, `>`, `"` and `'` escaped, and the characters XML 1.0 forbids
 * (C0 controls other than tab, newline and carriage return; lone surrogates; U+FFFE/U+FFFF) replaced by U+FFFD,
 * so any param name, value or verdict can go into an SVG text node or attribute and the document stays well-formed.
 */
export function escapeXml(value: unknown): string {
  const s = typeof value === 'string' ? value : String(value);
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Shortens text to at most `max` characters, ending with '…' when cut. */
export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`;
}

/** Splits text into lines of at most `width` characters at spaces (a longer word gets its own line). */
export function wrapText(s: string, width: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const word of s.split(/\s+/).filter((w) => w !== '')) {
    if (cur === '') cur = word;
    else if (cur.length + 1 + word.length <= width) cur += ` ${word}`;
    else {
      lines.push(cur);
      cur = word;
    }
  }
  if (cur !== '') lines.push(cur);
  return lines;
}
