#!/usr/bin/env bash
# Replays the recorded gspread sessions through Google's Node client
# (@googleapis/sheets, from npm) against `sheetaudit emulator`, to show that
# a second, independent client gets Google's recorded answers too.
# Skips (exit 0, with the reason) when node/npm are missing or npm cannot
# install the client; exits 1 when any answer differs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "nodecheck: skipped: node and npm are not installed (apt-get install nodejs npm)"
  exit 0
fi
tmp=$(mktemp -d)
emu_pid=""
cleanup() {
  if [ -n "$emu_pid" ]; then kill "$emu_pid" 2>/dev/null || true; wait "$emu_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

cp "$here/package.json" "$here/package-lock.json" "$here/replay.mjs" "$tmp/"
if ! (cd "$tmp" && timeout 300 npm ci --no-audit --no-fund --silent >"$tmp/npm.log" 2>&1); then
  echo "nodecheck: skipped: npm could not install @googleapis/sheets (registry unreachable?):"
  tail -5 "$tmp/npm.log"
  exit 0
fi

(cd "$root" && go build -o "$tmp/sheetaudit" ./cmd/sheetaudit)
"$tmp/sheetaudit" emulator --addr 127.0.0.1:0 --quota off >"$tmp/emu.out" 2>"$tmp/emu.log" &
emu_pid=$!
ep=""
for _ in $(seq 1 100); do
  ep=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$tmp/emu.out" 2>/dev/null | head -1 || true)
  [ -n "$ep" ] && break
  sleep 0.1
done
[ -n "$ep" ] || { echo "nodecheck: the emulator did not start:"; cat "$tmp/emu.log"; exit 1; }

(cd "$tmp" && node replay.mjs "$ep" "$root/sheets/sheetstest/testdata/cassettes")
