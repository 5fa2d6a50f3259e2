// Peer: daff's keyed diff of two CSV versions, timed in stages, the way
// `daff diff --id KEY a.csv b.csv` runs it (same parser, same comparison,
// same highlighter), so the diff alone can be set against sheetaudit's
// audit.Diff and the whole run against the daff CLI.
//
//   NODE_PATH=$tmp/npm/node_modules node daff_diff.js a.csv b.csv KEY
//
// Prints one JSON line: parse_ms (both files), diff_ms (compare, align and
// highlight), render_ms (diff table to CSV text), changed rows.
'use strict';
const fs = require('fs');
const daff = require('daff');

const [a, b, key] = process.argv.slice(2);
if (!a || !b || !key) {
  process.stderr.write('usage: daff_diff.js a.csv b.csv KEY\n');
  process.exit(2);
}
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

let t = process.hrtime.bigint();
const parse = (path) => {
  const tab = new daff.SimpleTable(0, 0);
  new daff.Csv().parseTable(fs.readFileSync(path, 'utf8'), tab);
  tab.trimBlank();
  return tab;
};
const t1 = parse(a);
const t2 = parse(b);
const parseMs = ms(t);

t = process.hrtime.bigint();
const flags = new daff.CompareFlags();
flags.addPrimaryKey(key);
const align = daff.compareTables(t1, t2, flags).align();
const out = new daff.SimpleTable(0, 0);
const td = new daff.TableDiff(align, flags);
td.hilite(out);
const diffMs = ms(t);

t = process.hrtime.bigint();
const text = new daff.Csv().renderTable(out);
const renderMs = ms(t);

process.stdout.write(JSON.stringify({
  parse_ms: parseMs, diff_ms: diffMs, render_ms: renderMs,
  diff_rows: out.get_height(), diff_bytes: Buffer.byteLength(text),
}) + '\n');
