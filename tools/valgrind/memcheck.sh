#!/usr/bin/env bash
# Valgrind memcheck of one CLI run: `yoso fill-mask` on the bundled test model. Passes only with
# 0 errors: no invalid read/write, no use of uninitialized memory, no definitely or indirectly
# lost block (tools/valgrind/memcheck.supp lists the only suppressions: allocations made inside
# PoCL's kernel compiler). The answer under valgrind must equal the one without it.
#
#   tools/valgrind/memcheck.sh BUILD_DIR
#
# Under valgrind the CPU looks different (no AVX-512: PoCL names the device pthread-haswell, not
# pthread-skylake-avx512), so kernels compiled natively do not serve it. A warm-up run under
# `valgrind --tool=none` (no checking, ~1 minute) therefore compiles them into fresh private
# caches (ours and PoCL's, POCL_CACHE_DIR), and the checked run loads them instead of compiling
# them under memcheck (12+ minutes on 2 cores, and LLVM's compile-time allocations).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:?usage: memcheck.sh BUILD_DIR}"
yoso="$build/yoso"
model="$root/tests/data/fillmask/model"
text="Paris is the [MASK] of France."
work="$(mktemp -d /tmp/yoso-memcheck-XXXXXX)"
trap 'rm -rf "$work"' EXIT
# PoCL only (see sanitizers.sh: Mesa's ICDs leak at exit in code valgrind cannot attribute).
export OCL_ICD_VENDORS="${OCL_ICD_VENDORS:-/etc/OpenCL/vendors/pocl.icd}"
export YOSO_CACHE_DIR="$work/cache" POCL_CACHE_DIR="$work/pocl-cache"
"$yoso" fill-mask --json -m "$model" "$text" >"$work/expected.json"
start=$(date +%s)
valgrind --tool=none -q "$yoso" fill-mask --json -m "$model" "$text" >"$work/warm.json" \
  2>"$work/warm.log" || { cat "$work/warm.log" >&2; exit 1; }
echo "memcheck: warm-up under valgrind --tool=none took $(( $(date +%s) - start )) s"
start=$(date +%s)
status=0
valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \
  --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
  --track-origins=yes --num-callers=40 --suppressions="$root/tools/valgrind/memcheck.supp" \
  "$yoso" fill-mask --json -m "$model" "$text" >"$work/got.json" 2>"$work/valgrind.log" || status=$?
echo "memcheck: the checked run took $(( $(date +%s) - start )) s"
grep -E "ERROR SUMMARY|  definitely lost|  indirectly lost|  possibly lost|  suppressed:" \
  "$work/valgrind.log" | sed 's/^==[0-9]*== */memcheck: /'
if [ $status -ne 0 ]; then
  echo "memcheck: FAILED (exit $status); the full log follows" >&2
  cat "$work/valgrind.log" >&2
  exit 1
fi
# Same CPU view (both under valgrind): the same bits. Native vs valgrind: the same tokens and
# sequences, scores within 1e-5 (AVX-512 vs AVX2 kernels sum in another order).
scores() { grep -o '"score":[^,]*' "$1" | cut -d: -f2; }
if ! cmp -s "$work/warm.json" "$work/got.json" ||
   [ "$(sed 's/"score":[^,]*,//g' "$work/expected.json")" != \
     "$(sed 's/"score":[^,]*,//g' "$work/got.json")" ] ||
   ! paste <(scores "$work/expected.json") <(scores "$work/got.json") |
     awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > 1e-5) bad = 1 } END { exit bad }'; then
  echo "memcheck: FAILED: the answer under valgrind differs from the one without it" >&2
  cat "$work/expected.json" "$work/warm.json" "$work/got.json" >&2
  exit 1
fi
echo "memcheck: 0 errors; the answer under valgrind matches the native one"
