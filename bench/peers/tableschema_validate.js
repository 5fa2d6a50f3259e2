// Peer: the Frictionless Table Schema validator for Node (npm
// `tableschema`) checking a CSV against schema.json, the same rules
// sheetaudit loads with audit.LoadTableSchema. It reads every row with
// forceCast, so a bad row is counted and the run goes on, as sheetaudit's
// validation does.
//
//   NODE_PATH=$tmp/npm/node_modules node tableschema_validate.js data.csv schema.json
//
// Prints one JSON line: validate_ms (load, parse, cast and check every
// row; Node start-up excluded), rows, bad_rows, errors.
'use strict';
const fs = require('fs');
const { Table } = require('tableschema');

async function main() {
  const [csv, schemaPath] = process.argv.slice(2);
  if (!csv || !schemaPath) {
    process.stderr.write('usage: tableschema_validate.js data.csv schema.json\n');
    process.exit(2);
  }
  const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
  const t0 = process.hrtime.bigint();
  const table = await Table.load(csv, { schema, headers: 1 });
  const iter = await table.iter({ forceCast: true });
  let rows = 0, badRows = 0, errors = 0;
  for await (const row of iter) {
    rows++;
    if (row instanceof Error) {
      badRows++;
      errors += (row.errors && row.errors.length) || 1;
    }
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  process.stdout.write(JSON.stringify({ validate_ms: ms, rows, bad_rows: badRows, errors }) + '\n');
}

main().catch((err) => {
  process.stderr.write(`tableschema_validate: ${err && err.stack || err}\n`);
  process.exit(1);
});
