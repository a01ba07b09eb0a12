#!/usr/bin/env bash
# The kernel-level suite under Oclgrind (an OpenCL simulator that checks every memory access):
# tiny shapes, head dim 64 included, with Oclgrind's 32 KiB of local memory (the OpenCL minimum).
# Any Oclgrind diagnostic (data race, out-of-bounds access, API misuse) fails the run.
#
# usage: tools/oclgrind/suite.sh BUILD_DIR [OCLGRIND OPTIONS...]   e.g. --max-wgsize 64
set -euo pipefail
build=${1:?usage: tools/oclgrind/suite.sh BUILD_DIR [oclgrind options]}
shift
command -v oclgrind >/dev/null || { echo "oclgrind is not installed: apt-get install oclgrind" >&2; exit 1; }
logs=$(mktemp -d /tmp/yoso-oclgrind-XXXXXX)
export YOSO_CACHE_DIR="$logs/cache" CMOCKA_MESSAGE_OUTPUT=stdout
unset YOSO_DEVICE # Oclgrind's library replaces every other platform: its device is the only one

# PROGRAM [FILTER [SKIP]]: cmocka case patterns ($YOSO_TEST_FILTER / $YOSO_TEST_SKIP, see
# tests/support/test_support.c); the cases left out here run in full on PoCL and rusticl.
cases=(
  "test_lsh_hash"                              # both layouts, d 16..128 (yoso-4096's 64 too)
  "test_gemm"
  "test_gemm_backends"
  "test_convert"
  # not test_explicit_signs_long: L 4096 takes 15 min in the simulator
  "test_lsh_cumulation test_references_agree"
  "test_lsh_cumulation test_explicit_signs_short"
  "test_lsh_cumulation test_padded_row_equals_alone"
  "test_lsh_cumulation test_cumulation_matches_reference" # head dims up to 128
  "test_lsh_cumulation test_scratch_reuse"
)
# Model-level programs are left to PoCL and rusticl: one tiny forward pass takes minutes here.
export YOSO_TEST_TINY=1 # the kernel tests' smallest shapes
for t in "$build"/tests/test_kernels*; do # the direct kernel tests against the _cpu references
  [ -x "$t" ] && cases+=("$(basename "$t")")
done

failed=0 n=0
for entry in "${cases[@]}"; do
  read -r prog filter skip <<<"$entry"
  n=$((n + 1))
  log="$logs/$n-$prog.oclgrind.log"
  start=$(date +%s)
  rc=0
  YOSO_TEST_FILTER=${filter:-} YOSO_TEST_SKIP=${skip:-} \
    oclgrind --data-races --check-api --log "$log" "$@" "$build/tests/$prog" >"$logs/$n.out" 2>&1 || rc=$?
  secs=$(($(date +%s) - start))
  if [ "$rc" -ne 0 ] || [ -s "$log" ]; then
    echo "FAIL $prog ${filter:-} (exit $rc, $secs s, oclgrind log $log):"
    tail -n 30 "$logs/$n.out"
    [ -s "$log" ] && head -n 40 "$log"
    failed=1
  else
    echo "ok   $prog ${filter:-} ($secs s)"
  fi
done
[ "$failed" -eq 0 ] && rm -rf "$logs"
exit "$failed"
