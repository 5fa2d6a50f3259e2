#!/usr/bin/env bash
# Fault injection, measured. Runs each fault class's tests, counts the cases
# that ran and how they ended, and (in the full form) rewrites RELIABILITY.md
# from what it measured.
#
#   scripts/reliability.sh           full form: each class REPEAT times (default 3),
#                                    fuzzing FUZZTIME (default 20s) per target;
#                                    a few minutes; rewrites RELIABILITY.md
#   scripts/reliability.sh --short   CI form: each class once, no fuzzing (CI runs
#                                    scripts/fuzz.sh), RELIABILITY.md untouched
#
# A class fails the script when any of its cases fails.
set -euo pipefail
cd "$(dirname "$0")/.."

short=false
[ "${1:-}" = "--short" ] && short=true
repeat="${REPEAT:-3}"
fuzztime="${FUZZTIME:-20s}"
$short && repeat=1
# The full form kills the binary 200 times per backend; the short form 20.
$short || export SHEETAUDIT_CRASH_KILLS="${SHEETAUDIT_CRASH_KILLS:-200}"

# name | how it is injected | packages | -run pattern
classes=(
  "Writer killed between content and manifest|the store's hook between a version's chunks and its manifest abandons the Put; a fresh store reopens the folder or bucket, verifies and writes again (file and S3)|./snapshot|^(TestCrashBetweenChunksAndManifest|TestCrashS3)\$"
  "Google API faults (429, 5xx, timeouts, resets)|the emulator's Faults and a recording transport fail, delay or cut requests; the client retries with capped full-jitter backoff or gives up with ErrUnavailable|./sheets|^(TestRetry.*|TestNotRetried|TestAttemptTimeoutRetried|TestFullJitterBounds|TestLimiters|TestEnsureTabRace|TestTranslate)\$"
  "SIGTERM mid-cycle|the real binary gets SIGTERM while the emulator stalls a request|./cmd/sheetaudit|^TestSIGTERMMidCycle\$"
  "Google endpoint or store that never answers; missing bucket|loopback servers that accept and never answer, and an S3 server without the bucket; run --once, snapshots list, status, history must end within the deadline + 10 s with exit 2 naming what hung|./cmd/sheetaudit|^TestEveryCommandBounded\$"
  "Damaged manifest or chunk|manifest overwritten with truncated JSON, chunk bytes flipped, logged version unreadable; list, status, history, run --once go on, the cycle falls back with an error finding|./snapshot ./audit ./cmd/sheetaudit|^(TestCorruptChunk|TestCorruptManifest|TestDamagedNewestManifest|TestCycleDamagedLoggedVersion|TestDamagedManifestGoesOn)\$"
  "State cannot be written; cycle cancelled|a folder where state.json goes; a version newer than the recorded cycle; a cycle cancelled mid-read|./cmd/sheetaudit ./audit|^(TestUnwritableState|TestStatusUnrecordedOutcome|TestCycleRecordsCancelledOutcome|TestCycleRetriesFailedWriteBack)\$"
  "Prune next to the Change Log position|keep_last 1 with the logged version older than the kept ones|./snapshot ./cmd/sheetaudit|^(TestPruneKeepsLoggedVersion|TestApplyPolicyProtected|TestPruneKeepsPatchBases|TestSnapshotsPruneDryRun)\$"
  "Duplicate and empty keys|three rows keyed K1 renamed, reordered, removed, edited; keyless rows moved|./audit|^TestDiffDuplicateKeys\$"
  "Oversized values in messages|a 50,000-character cell quoted three times by a custom {value} message|./audit|^TestCheckCustomMessageLongValue\$"
  "Secrets echoed by servers|an SMTP server echoing AUTH with the password, an API echoing the bearer token, a store echoing its secret key; stdout, stderr (console and JSON), status, state and report files scanned|./cmd/sheetaudit ./redact|^(TestNoSecretInAnyOutput|TestString|TestError|TestCore|TestWriter)\$"
  # Exactly-once: each kill counts as a case (the test logs "reliability cases: N");
  # SHEETAUDIT_CRASH_KILLS sets the kills per backend (20 in the short form).
  "Process killed at random points and at each write boundary|the real binary under SIGKILL at random times and at a loopback proxy that holds each Google write (before it is sent, or after it applied with the reply held back) and at the .xlsx temp file and rename; snapshots verify --full after each kill, every edit in the Change Log exactly once, in order; a write-back held past cycle_deadline and past shutdown_timeout|./cmd/sheetaudit|^TestCrashExactlyOnce\$"
)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rows=()
failed=0
for c in "${classes[@]}"; do
  IFS='|' read -r name how pkgs pattern <<<"$c"
  echo "== $name"
  start=$(date +%s)
  # shellcheck disable=SC2086
  go test -json -count="$repeat" -run "$pattern" $pkgs >"$tmp/out.json" 2>&1 || true
  secs=$(( $(date +%s) - start ))
  # Cases are leaf tests (a test without subtests, or a subtest), each
  # counted once per run; a test that runs many cases itself (a kill loop)
  # logs "reliability cases: N" and counts N.
  read -r pass fail < <(awk '
    /"Action":"output"/ && match($0, /reliability cases: [0-9]+/) { extra += substr($0, RSTART + 19, RLENGTH - 19) - 1 }
    /"Action":"(pass|fail)"/ && /"Test":/ {
      match($0, /"Test":"[^"]*"/); t = substr($0, RSTART + 8, RLENGTH - 9)
      match($0, /"Package":"[^"]*"/); p = substr($0, RSTART, RLENGTH)
      a = ($0 ~ /"Action":"pass"/) ? "pass" : "fail"
      n++; name[n] = p "|" t; act[n] = a; parent[p "|" t] = 0
    }
    END {
      for (i = 1; i <= n; i++) { s = name[i]; while ((j = match(s, /\/[^\/]*$/)) > 0) { s = substr(s, 1, j - 1); parent[s] = 1 } }
      for (i = 1; i <= n; i++) if (!parent[name[i]]) { if (act[i] == "pass") ps++; else fs++ }
      if (fs + 0 == 0) ps += extra
      printf "%d %d\n", ps + 0, fs + 0
    }' "$tmp/out.json")
  if [ "$pass" -eq 0 ] && [ "$fail" -eq 0 ]; then
    echo "   no case ran (the pattern matches no test, or the build failed):" >&2
    tail -20 "$tmp/out.json" >&2
    fail=1
  fi
  result="all passed"
  if [ "$fail" -gt 0 ]; then
    result="**$fail failed**"
    failed=1
    grep -E '"Action":"output"' "$tmp/out.json" | grep -E -- '--- FAIL|_test.go:' | head -20 >&2 || true
  fi
  echo "   $((pass + fail)) cases ($repeat runs): $result, ${secs}s"
  rows+=("| $name | $how | $((pass + fail)) ($repeat runs) | $result | ${secs}s |")
done

fuzzrows=()
if ! $short; then
  while read -r pkg target; do
    echo "== fuzz $pkg $target ($fuzztime)"
    start=$(date +%s)
    if go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" >"$tmp/fuzz.txt" 2>&1; then
      result="no failure"
    else
      result="**failed** (input saved under $pkg/testdata/fuzz/$target)"
      failed=1
      tail -20 "$tmp/fuzz.txt" >&2
    fi
    execs=$(grep -o 'execs: [0-9]*' "$tmp/fuzz.txt" | tail -1 | grep -o '[0-9]*' || echo 0)
    echo "   $execs inputs: $result"
    fuzzrows+=("| $target ($pkg) | $execs inputs in $fuzztime | $result |")
  done < <(sed -n 's/^  "\(\.[^ ]*\) \(Fuzz[A-Za-z0-9]*\)".*/\1 \2/p' scripts/fuzz.sh)
fi

if ! $short; then
  {
    echo "# Reliability"
    echo
    echo "What sheetaudit was put through, how, and what happened: measured by"
    echo "\`scripts/reliability.sh\` on $(date -u +%Y-%m-%d) ($(go version | cut -d' ' -f3), $(nproc) cores;"
    echo "REPEAT=$repeat, FUZZTIME=$fuzztime, SHEETAUDIT_CRASH_KILLS=${SHEETAUDIT_CRASH_KILLS:-default})."
    echo "Do not edit by hand; run the script. CI runs its short form (each class once) and"
    echo "\`scripts/fuzz.sh\` (each fuzz target for a few seconds)."
    echo
    echo "## Fault classes"
    echo
    echo "| Fault class | How it is injected | Cases run | Result | Time |"
    echo "|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "## Fuzzing"
    echo
    echo "Each target first replays its seed corpus and \`testdata/fuzz/\`, then runs for"
    echo "the time shown. A failure saves the input, which every later \`go test\` replays."
    echo
    echo "| Target | Inputs | Result |"
    echo "|---|---|---|"
    printf '%s\n' "${fuzzrows[@]}"
  } >RELIABILITY.md
  echo "== wrote RELIABILITY.md"
fi
exit $failed
