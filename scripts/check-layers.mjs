// Checks that imports between src/ folders point one way: a folder imports only folders listed below it in LAYERS
// (type-only imports included: a type is a dependency too). Also reports import cycles between files.
// Usage: node scripts/check-layers.mjs   (exit 1 on any violation)
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Top to bottom. `(root)` is src/index.ts, the public entry point. */
const LAYERS = [
  '(root)', 'cli', 'dashboard', 'reports', 'study', 'spec', 'strategies', 'samplers', 'schedulers', 'controller',
  'runners', 'datasets', 'results', 'storage', 'stats', 'space', 'core',
];
const SRC = resolve(process.argv[2] ?? 'src');

function walk(d) {
  return readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    if (statSync(p).isDirectory()) return n === 'static' ? [] : walk(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') && !/\/test-[^/]*\.ts$/.test(p) && !p.includes('/fixtures/') ? [p] : [];
  });
}
const layerOf = (f) => {
  const parts = relative(SRC, f).split('/');
  return parts.length > 1 ? parts[0] : '(root)';
};
const files = walk(SRC);
const importRe = /(?:import|export)\s[^'";]*?from\s+'(\.{1,2}\/[^']+)'|import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g;
const graph = new Map();
const problems = [];
for (const f of files) {
  const src = readFileSync(f, 'utf8');
  const targets = [];
  for (const m of src.matchAll(importRe)) {
    const spec = m[1] ?? m[2];
    const t = resolve(dirname(f), spec).replace(/\.js$/, '.ts');
    targets.push(t);
    const a = layerOf(f);
    const b = layerOf(t);
    if (a === b) continue;
    const ia = LAYERS.indexOf(a);
    const ib = LAYERS.indexOf(b);
    if (ia < 0) problems.push(`${relative(SRC, f)}: folder ${a} is not in the layer list`);
    else if (ib < 0) problems.push(`${relative(SRC, f)} imports ${spec}: folder ${b} is not in the layer list`);
    else if (ib <= ia) problems.push(`${relative(SRC, f)} (${a}) imports ${spec} (${b}), a layer above it`);
  }
  graph.set(f, targets);
}
// Cycles between files (Tarjan's strongly connected components).
let index = 0;
const idx = new Map(); const low = new Map(); const stack = []; const on = new Set();
function strong(v) {
  idx.set(v, index); low.set(v, index); index++; stack.push(v); on.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    if (!idx.has(w)) { strong(w); low.set(v, Math.min(low.get(v), low.get(w))); }
    else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const comp = [];
    let w;
    do { w = stack.pop(); on.delete(w); comp.push(w); } while (w !== v);
    if (comp.length > 1) problems.push(`import cycle: ${comp.map((c) => relative(SRC, c)).join(' → ')}`);
  }
}
for (const f of files) if (!idx.has(f)) strong(f);

if (problems.length) {
  console.error(`check-layers: ${problems.length} problem(s)\n  ` + problems.join('\n  '));
  process.exit(1);
}
console.log(`check-layers: ${files.length} files, imports point down ${LAYERS.join(' > ')}, no cycles`);
