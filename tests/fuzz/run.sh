#!/usr/bin/env bash
# Runs every fuzz target of a YOSO_FUZZ build for a bounded time or number of executions, each on
# a scratch copy of its committed seed corpus (tests/fuzz/corpus/<target>/), with its dictionary
# (tests/fuzz/<name>.dict) when there is one. Prints one line per target with the executions done;
# exits 1 if any target crashes, leaks, hits UB or times out (the reproducer is kept and named).
#
#   tests/fuzz/run.sh BUILD_DIR [-time SECONDS | -runs N] [TARGET...]
#   e.g. tests/fuzz/run.sh build-fuzz -time 25          (CI)
#        tests/fuzz/run.sh build-fuzz -runs 1000000 fuzz_config
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:?usage: run.sh BUILD_DIR [-time S | -runs N] [TARGET...]}"
shift
limit="-max_total_time=25"
if [ "${1:-}" = "-time" ]; then limit="-max_total_time=$2"; shift 2; fi
if [ "${1:-}" = "-runs" ]; then limit="-runs=$2"; shift 2; fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for src in "$here"/fuzz_*.c; do targets+=("$(basename "$src" .c)"); done
fi
work="$(mktemp -d /tmp/yoso-fuzz-XXXXXX)"
failed=0
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/$t"
  if [ ! -x "$bin" ]; then echo "fuzz: $bin is missing: build with -DYOSO_FUZZ=ON" >&2; exit 1; fi
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  cp "$here/corpus/$t/"* "$work/$t/corpus/"
  dict="$here/${t#fuzz_}.dict"
  opts=("$limit" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1
        -artifact_prefix="$work/$t/artifacts/")
  [ -f "$dict" ] && opts+=(-dict="$dict")
  start=$(date +%s)
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" UBSAN_OPTIONS="print_stacktrace=1" \
    "$bin" "${opts[@]}" "$work/$t/corpus" >"$work/$t/log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$t/log" | grep -o '[0-9]*$')
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$work/$t/log" | grep -o '[0-9]*$')
  cov=$(grep -o 'cov: [0-9]*' "$work/$t/log" | tail -1)
  echo "fuzz: $t: ${execs:-?} executions in $(( $(date +%s) - start )) s (${rate:-?}/s, $cov)," \
       "corpus $(ls "$work/$t/corpus" | wc -l) inputs, exit $rc"
  if [ $rc -ne 0 ]; then
    failed=1
    echo "fuzz: $t FAILED; reproducers in $work/$t/artifacts:" >&2
    ls -la "$work/$t/artifacts" >&2
    grep -E 'ERROR|SUMMARY|runtime error|#[0-9]+ 0x' "$work/$t/log" | head -30 >&2
  fi
done
if [ $failed -eq 0 ]; then rm -rf "$work"; fi
exit $failed
