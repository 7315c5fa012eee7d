import { escapeXml } from './escape.js';
import type { ReportContent } from './report.js';

const CSS = [
  'body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;color:#222;background:#fafafa;margin:0 auto;max-width:960px;padding:16px 24px 48px;line-height:1.45}',
  'h1{font-size:1.4rem;margin:0.6em 0 0.3em}h2{font-size:1.1rem;margin:1.6em 0 0.4em}',
  'ul.summary{padding-left:1.2em;margin:0}figure{margin:0;background:#fff;border:1px solid #ddd;border-radius:4px;padding:8px;overflow-x:auto}',
  'figure svg{display:block;max-width:100%;height:auto}figcaption{font-size:0.85rem;color:#555;margin-top:6px}',
  'nav ol{padding-left:1.2em}.skipped{color:#666;font-size:0.9rem}footer{margin-top:2em;font-size:0.8rem;color:#777}',
  // The epoch selector: radio buttons styled as tabs; the checked one shows its frame (CSS only, no scripts).
  '.frames>input{position:absolute;opacity:0}.frames>label{display:inline-block;padding:3px 10px;margin:0 4px 6px 0;border:1px solid #bbb;border-radius:3px;cursor:pointer;font-size:0.9rem}',
  '.frames>input:checked+label{background:#222;color:#fff;border-color:#222}.frames>input:focus-visible+label{outline:2px solid #4e79a7}.frames>.frame{display:none}',
].join('\n');

/** The rules that show the frame of the checked epoch, per chart with frames. */
function frameRules(r: ReportContent): string {
  return r.charts.flatMap((c) => (c.frames ?? []).map((f) => `#pick-${f.id}:checked~#frame-${f.id}`)).join(',') + (r.charts.some((c) => c.frames?.length) ? '{display:block}' : '');
}

/** A chart's figure: its SVG, or its frames behind an epoch selector (the last frame shown first). */
function figure(c: ReportContent['charts'][number]): string {
  const e = escapeXml;
  if (!c.frames?.length) return `<figure>\n${c.svg}\n<figcaption>${e(c.caption)}</figcaption>\n</figure>`;
  const last = c.frames.length - 1;
  const inputs = c.frames.map((f, i) => `<input type="radio" name="${e(`pick-${c.id}`)}" id="${e(`pick-${f.id}`)}"${i === last ? ' checked="checked"' : ''}/><label for="${e(`pick-${f.id}`)}">${e(f.label)}</label>`).join('');
  const frames = c.frames.map((f) => `<div class="frame" id="${e(`frame-${f.id}`)}">\n${f.svg}\n</div>`).join('\n');
  return `<figure class="frames">\n${inputs}\n${frames}\n<figcaption>${e(c.caption)}</figcaption>\n</figure>`;
}

/**
 * One self-contained HTML page: inline CSS, every chart's SVG inline (a chart with frames behind a CSS-only epoch
 * selector), no scripts and nothing fetched
 * (a Content-Security-Policy that allows only inline styles says so to the browser).
 */
export function renderHtml(r: ReportContent, generatedAt = new Date()): string {
  const e = escapeXml;
  const sections = r.charts.map((c) => `<section id="${e(`chart-${c.id}`)}">\n<h2>${e(c.title)}</h2>\n${figure(c)}\n</section>`);
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${e(r.title)}</title>`,
    `<style>\n${CSS}\n${frameRules(r)}\n</style>`,
    '</head>',
    '<body>',
    `<h1>${e(r.title)}</h1>`,
    `<ul class="summary">${r.summary.map((s) => `<li>${e(s)}</li>`).join('')}</ul>`,
    `<nav aria-label="Charts"><ol>${r.charts.map((c) => `<li><a href="#${e(`chart-${c.id}`)}">${e(c.title)}</a></li>`).join('')}</ol></nav>`,
    ...sections,
    ...(r.skipped.length ? [`<section id="not-drawn"><h2>Not drawn</h2><ul class="skipped">${r.skipped.map((s) => `<li>${e(s.title)}: ${e(s.reason)}</li>`).join('')}</ul></section>`] : []),
    `<footer>Made by <code>hyperzone report</code> on ${e(generatedAt.toISOString().slice(0, 16).replace('T', ' '))} UTC.</footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
