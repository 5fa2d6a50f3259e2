#!/usr/bin/env bash
# Quick start: one real audit cycle on the bundled example workbook.
# No credentials, no network. The cycle writes its Change Log into a working
# copy under examples/.work/ and its snapshots under examples/sheetaudit-data/
# (both git-ignored), so the tracked example never changes. Run it twice: the
# second cycle finds nothing new.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p .work
[ -f .work/clients.xlsx ] || cp clients.xlsx .work/clients.xlsx
exec go run ../cmd/sheetaudit run --once --config sheetaudit.yaml "$@"
