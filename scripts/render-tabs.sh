#!/usr/bin/env bash
# Renders the tabs sheetaudit writes into the quick start workbook to PNG, for
# people to look at (the README's screenshots come from here). It runs three
# cycles on a copy of examples/clients.xlsx: a baseline, a colleague's edits
# (a few cells, a row added, a row removed), then one value pasted over the
# whole 联系方式 column (the bad-paste alarm); then the weekly report; then
# restores the version before the paste into a tab of its own; then prints
# each tab's first rows with LibreOffice and converts the pages.
#
#   scripts/render-tabs.sh [OUTDIR]        # default docs/img
#   LOCALE=zh-CN scripts/render-tabs.sh    # the tabs in Chinese (files *-zh-CN.png)
#   ROWS=24 scripts/render-tabs.sh         # rows shown per tab
#
# Needs soffice (LibreOffice Calc) and pdftoppm (poppler), and CJK fonts for
# the Chinese text: apt-get install -y libreoffice-calc fonts-noto-cjk poppler-utils
# CI does not need it. Nothing tracked changes except the PNGs in OUTDIR.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/docs/img}
locale=${LOCALE:-en}
rows=${ROWS:-24}
for tool in soffice pdftoppm; do
	if ! command -v "$tool" >/dev/null; then
		echo "render-tabs: $tool is not installed; install it with: apt-get install -y libreoffice-calc fonts-noto-cjk poppler-utils" >&2
		exit 2
	fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home" "$out"

cd "$root"
go build -o "$work/sheetaudit" ./cmd/sheetaudit
go build -o "$work/tabshots" ./scripts/tabshots
cp examples/clients.xlsx "$work/clients.xlsx"
{
	sed -e "s#^store: .*#store: $work/data#" -e "s#xlsx: ./.work/clients.xlsx#xlsx: $work/clients.xlsx#" \
		-e '/change_log_tab:/d' examples/sheetaudit.yaml
	echo "locale: $locale"
} >"$work/sheetaudit.yaml"
run() { "$work/sheetaudit" --log-level warn --config "$work/sheetaudit.yaml" "$@" >/dev/null; }
run run --once
"$work/tabshots" edit "$work/clients.xlsx"
run run --once
"$work/tabshots" paste "$work/clients.xlsx" 联系方式
run run --once
run report --no-mail || echo "render-tabs: the report failed; its tab is not shown" >&2
# The version before the paste, restored into a tab of its own.
run restore latest~1 --reason "render-tabs" || echo "render-tabs: the restore failed; its tab is not shown" >&2

"$work/tabshots" crop "$work/clients.xlsx" "$work/tabs.xlsx" "$rows" >"$work/tabs.txt"
# LibreOffice's profile goes into the work folder, not the user's.
HOME="$work/home" soffice --headless --norestore --convert-to pdf --outdir "$work" "$work/tabs.xlsx" >/dev/null 2>&1
suffix=""
[ "$locale" = en ] || suffix="-$locale"
page=0
while read -r slug; do
	page=$((page + 1))
	[ "$slug" = - ] && continue
	pdftoppm -f "$page" -l "$page" -r 100 -png -singlefile "$work/tabs.pdf" "$out/$slug$suffix"
	echo "$out/$slug$suffix.png"
done <"$work/tabs.txt"
