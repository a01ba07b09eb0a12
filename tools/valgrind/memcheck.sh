#!/usr/bin/env bash
# Valgrind memcheck of one CLI run: `yoso fill-mask` on the bundled test model. Passes only with
# 0 errors: no invalid read/write, no use of uninitialized memory, no definitely or indirectly
# lost block (tools/valgrind/memcheck.supp lists the only suppressions: allocations made inside
# PoCL's kernel compiler). The answer under valgrind must equal the one without it.
#
#   tools/valgrind/memcheck.sh BUILD_DIR
#
# A warm-up run first fills a fresh kernel cache (and PoCL's own), so the checked run loads the
# compiled kernels instead of compiling them under valgrind (12+ minutes on 2 cores).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:?usage: memcheck.sh BUILD_DIR}"
yoso="$build/yoso"
model="$root/tests/data/fillmask/model"
text="Paris is the [MASK] of France."
work="$(mktemp -d /tmp/yoso-memcheck-XXXXXX)"
trap 'rm -rf "$work"' EXIT
export YOSO_CACHE_DIR="$work/cache"
"$yoso" fill-mask --json -m "$model" "$text" >"$work/expected.json"
status=0
valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \
  --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
  --track-origins=yes --num-callers=40 --suppressions="$root/tools/valgrind/memcheck.supp" \
  "$yoso" fill-mask --json -m "$model" "$text" >"$work/got.json" 2>"$work/valgrind.log" || status=$?
grep -E "ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|suppressed:" "$work/valgrind.log" \
  | sed 's/^==[0-9]*== */memcheck: /'
if [ $status -ne 0 ]; then
  echo "memcheck: FAILED (exit $status); the full log follows" >&2
  cat "$work/valgrind.log" >&2
  exit 1
fi
if ! cmp -s "$work/expected.json" "$work/got.json"; then
  echo "memcheck: FAILED: the answer under valgrind differs from the one without it" >&2
  diff "$work/expected.json" "$work/got.json" >&2 || true
  exit 1
fi
echo "memcheck: 0 errors; fill-mask output identical with and without valgrind"
