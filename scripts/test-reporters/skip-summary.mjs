// node:test reporter: after the run, every skipped test with its reason, grouped by reason, so that a skip
// (a missing PyTorch, Optuna, PostgreSQL, Chromium, Fashion-MNIST or benchmark data) cannot pass unnoticed.
// The spec and TAP reporters print a skip's reason beside it, where it scrolls away among hundreds of tests.
import { relative } from 'node:path';

export default async function* skipSummary(source) {
  const byReason = new Map();
  let count = 0;
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { skip, name, file } = event.data;
    if (skip === undefined || skip === false) continue;
    const reason = typeof skip === 'string' && skip !== '' ? skip : '(no reason given)';
    const where = `${file ? relative(process.cwd(), file) : '?'}: ${name}`;
    byReason.set(reason, [...(byReason.get(reason) ?? []), where]);
    count++;
  }
  if (count === 0) {
    yield '\n# skipped: none\n';
    return;
  }
  let out = `\n# skipped: ${count} (tests and suites; a skipped suite counts once), by reason\n`;
  for (const [reason, tests] of byReason) {
    out += `# - ${reason}\n`;
    for (const t of tests) out += `#     ${t}\n`;
  }
  yield out;
}
