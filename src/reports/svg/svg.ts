import { escapeXml } from './escape.js';

/** A chart: an id (also its file name and the prefix of ids inside it), a title, and a standalone SVG document. */
export interface Chart {
  readonly id: string;
  readonly title: string;
  /** One or two sentences on how to read it (shown under it in the report). */
  readonly caption: string;
  readonly svg: string;
  /** Frames shown one at a time (the surface at each epoch), each a standalone SVG; `svg` is then the last. */
  readonly frames?: readonly { readonly label: string; readonly id: string; readonly svg: string }[];
}

/** Attributes of an element; undefined and false are left out, true is written as the name. */
export type Attrs = Readonly<Record<string, string | number | boolean | undefined>>;

function num(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100);
}

/** The attribute list of an element, values escaped, numbers rounded to 0.01 px. */
export function attrs(a: Attrs): string {
  let out = '';
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined || v === false) continue;
    out += v === true ? ` ${k}="${k}"` : ` ${k}="${typeof v === 'number' ? num(v) : escapeXml(v)}"`;
  }
  return out;
}

/** An element with children (already serialized) or none. */
export function el(tag: string, a: Attrs = {}, ...children: (string | false | null | undefined)[]): string {
  const body = children.filter((c): c is string => typeof c === 'string' && c !== '').join('');
  return body === '' ? `<${tag}${attrs(a)}/>` : `<${tag}${attrs(a)}>${body}</${tag}>`;
}

/** A text element; the text is escaped. */
export function text(x: number, y: number, s: string, a: Attrs = {}): string {
  return `<text${attrs({ x, y, ...a })}>${escapeXml(s)}</text>`;
}

/** A <title> child: the tooltip browsers show on hover and the name screen readers read. */
export function tooltip(s: string): string {
  return `<title>${escapeXml(s)}</title>`;
}

/** A path's `d` from points (numbers rounded to 0.01 px); a null point breaks the line. */
export function pathData(points: readonly (readonly [number, number] | null)[]): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (p === null || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${num(p[0])} ${num(p[1])}`;
    pen = true;
  }
  return d;
}

// The default ink is inherited from the root (`svg{fill:…}`), never set by a `text{fill}` rule: any CSS rule beats a
// `fill` attribute, and the heatmap's cell values pick white or black per cell with that attribute.
const STYLE = [
  'svg{fill:#222}text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif}',
  '.tick{font-size:11px}.label{font-size:12px}.title{font-size:14px;font-weight:600}.note{font-size:11px;fill:#555}',
  '.grid{stroke:#e4e4e4;stroke-width:1}.axis{stroke:#666;stroke-width:1;fill:none}',
].join('');

/**
 * A standalone SVG document (namespace, viewBox, role="img", title and description for screen readers,
 * its own small stylesheet), so the same text works inline in HTML and as an .svg file.
 */
export function svgDocument(o: { id: string; width: number; height: number; title: string; desc: string }, body: string): string {
  const tid = `${o.id}-title`;
  const did = `${o.id}-desc`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg"${attrs({ id: o.id, width: o.width, height: o.height, viewBox: `0 0 ${o.width} ${o.height}`, role: 'img', 'aria-labelledby': `${tid} ${did}` })}>` +
    `<title id="${escapeXml(tid)}">${escapeXml(o.title)}</title><desc id="${escapeXml(did)}">${escapeXml(o.desc)}</desc>` +
    `<style>${STYLE}</style>` +
    el('rect', { x: 0, y: 0, width: o.width, height: o.height, fill: '#ffffff' }) +
    body +
    '</svg>'
  );
}
