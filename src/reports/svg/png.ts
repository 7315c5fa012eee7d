import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../core/errors.js';
import type { Chart } from './svg.js';

/** The Chromium `--png` drives: HZ_CHROMIUM, else Debian's /usr/bin/chromium. */

/** Chromium's flags for headless use on a server: no sandbox (root in containers), no GPU, no network of its own. */
export const HEADLESS_CHROMIUM_ARGS: readonly string[] = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env['HZ_CHROMIUM'] ?? '/usr/bin/chromium';
}

/** Throws an InputError (exit 2, before anything runs) when the Chromium for `--png` is not there. */
export function checkChromium(executable: string): void {
  if (!existsSync(executable)) {
    throw new InputError(`\`--png\` needs Chromium to draw the PNGs: ${executable} not found; install Debian's chromium, or set HZ_CHROMIUM to a Chromium or Chrome binary`);
  }
}

/** The figures a report writes as files: each chart, or each frame of a chart with frames (`surface-epoch-20`). */
export function figures(charts: readonly Chart[]): { name: string; svg: string }[] {
  return charts.flatMap((c) => (c.frames?.length ? c.frames.map((f) => ({ name: f.id, svg: f.svg })) : [{ name: c.id, svg: c.svg }]));
}

/**
 * Writes each figure as DIR/<name>.png through headless Chromium (playwright-core): the SVG alone on a blank page,
 * screenshot at `scale` device pixels per CSS pixel (2: sharp in papers and READMEs). Returns the files written.
 */
export async function writePngs(charts: readonly Chart[], dir: string, o: { executable?: string; scale?: number } = {}): Promise<string[]> {
  const executable = o.executable ?? chromiumPath();
  checkChromium(executable);
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    throw new InputError('`--png` needs the npm package playwright-core (it drives Chromium); install it next to hyperzone', { cause: e });
  }
  mkdirSync(dir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: executable,
    args: [...HEADLESS_CHROMIUM_ARGS],
  });
  const files: string[] = [];
  try {
    const page = await browser.newPage({ deviceScaleFactor: o.scale ?? 2, viewport: { width: 1200, height: 900 } });
    // Nothing but the page itself is loaded: the SVGs are self-contained.
    await page.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
    for (const f of figures(charts)) {
      await page.setContent(`<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{margin:0;background:#fff}svg{display:block}</style></head><body>${f.svg}</body></html>`);
      const file = join(dir, `${f.name}.png`);
      await page.locator('svg').first().screenshot({ path: file, omitBackground: false });
      files.push(file);
    }
  } finally {
    await browser.close();
  }
  return files;
}
