#!/usr/bin/env bash
# Bounded fuzzing: each fuzz target runs for FUZZTIME (default 5s) after its
# seed corpus (the f.Add cases and testdata/fuzz/) passes. CI runs this
# script; a failure leaves the crashing input under the package's
# testdata/fuzz/<Target>/, which `go test` then replays as a regression case.
#
#   scripts/fuzz.sh              every target, 5 s each
#   FUZZTIME=60s scripts/fuzz.sh  longer, before a release
#   scripts/fuzz.sh FuzzDiff     only the targets named
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-5s}"
only=" $* "

# package target: what each one checks.
targets=(
  "./sheets FuzzParseCell"                 # A1 cell names: parse ∘ name = identity
  "./sheets/sheetstest/emulator FuzzParseA1" # emulator's A1 ranges: echoed ranges parse back
  "./config FuzzParse"                     # config decoding: no panic, no side effects
  "./audit FuzzParseDate"                  # dates: accepted dates round-trip through ISO
  "./audit FuzzIsPhone"                    # phone numbers: no panic, space-insensitive
  "./audit FuzzDiff"                       # diff: applying A→B's changes to A gives B
  "./snapshot FuzzChunks"                  # chunker: chunks concatenate back, cut at row ends
  "./snapshot FuzzDecode"                  # snapshot rows and patches: decode, re-encode
  "./snapshot FuzzManifest"                # manifests: no panic, accepted ones name themselves
  "./xlsx FuzzReadMutated"                 # xlsx reader on mutated workbook parts
)

start=$(date +%s)
ran=0
for t in "${targets[@]}"; do
  set -- $t
  pkg=$1 name=$2
  if [ "$only" != "  " ] && [[ "$only" != *" $name "* ]]; then
    continue
  fi
  echo "== fuzz $pkg $name ($fuzztime)"
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"
  ran=$((ran + 1))
done
echo "== fuzz: $ran targets in $(( $(date +%s) - start ))s"
