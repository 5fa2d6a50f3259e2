#!/usr/bin/env bash
# Quick start: one real audit cycle on the bundled example workbook, then
# this week's Staleness Report. No credentials, no network. The cycle writes
# its tabs into a working copy under examples/.work/ and its snapshots and
# reports under examples/sheetaudit-data/ (both git-ignored), so the tracked
# example never changes. Run it twice: the second cycle finds nothing new.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p .work
[ -f .work/clients.xlsx ] || cp clients.xlsx .work/clients.xlsx
go build -o .work/sheetaudit ../cmd/sheetaudit
./.work/sheetaudit run --once --config sheetaudit.yaml "$@"
./.work/sheetaudit report --no-mail --config sheetaudit.yaml --out .work/reports

page=$(ls -t .work/reports/*.html | head -1)
week=$(basename "$page" .html | grep -o '[0-9]\{4\}-W[0-9]\{2\}$')
cat <<MSG

Where to look next:
  the workbook    examples/.work/clients.xlsx: tabs 客户 (your data), Change Log,
                  Needs Review (what to fix) and Staleness Report (who to call)
  the report      examples/$page (open it in a browser; the CSV is beside it)
  the store       examples/sheetaudit-data/ (every version, and reports/)
  more commands   cd examples && .work/sheetaudit status --config sheetaudit.yaml
                  cd examples && .work/sheetaudit report --week $week --config sheetaudit.yaml
MSG
