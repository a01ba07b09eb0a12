#!/usr/bin/env bash
# Portability checks of a built tree (issue 12), run by .ci/run after the README's test command:
#   1. the suite with OpenBLAS's AVX2 (Haswell) kernels, as on a machine without AVX-512;
#   2. the kernels compile without a single warning for an AVX2-only x86 target (what PoCL does
#      there), and a run with an empty kernel cache leaves stderr empty on every implementation;
#   3. the whole suite on Mesa's rusticl (llvmpipe);
#   4. the kernel-level suite under Oclgrind with 32 KiB of local memory, and with work-groups of
#      at most 64 (tools/oclgrind/suite.sh).
# usage: tools/portability.sh BUILD_DIR     (needs mesa-opencl-icd, oclgrind, clang-15: install-deps)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: tools/portability.sh BUILD_DIR}
section() { echo; echo "=== $* ($(date +%T)) ==="; }
rusticl=(env RUSTICL_ENABLE=llvmpipe YOSO_DEVICE=llvmpipe)
# test_lsh_devices compares LSH logits across every device: here it must see PoCL and rusticl.
export YOSO_TEST_MIN_DEVICES=2

section "P1/5 the suite with OpenBLAS's AVX2 kernels (OPENBLAS_CORETYPE=Haswell)"
OPENBLAS_CORETYPE=Haswell ctest --test-dir "$build" --output-on-failure -j2

section "P2/5 kernels warning-free for an AVX2-only x86 target; stderr clean with an empty cache"
kernels=$(mktemp /tmp/yoso-kernels-XXXXXX.cl)
{ cat src/cl/common.cl; find src/cl -name '*.cl' ! -name common.cl | sort | xargs cat; } >"$kernels"
for fp16 in 0 1; do # PoCL's compiler (clang 15), as it builds them on a CPU without AVX-512
  clang-15 -x cl -cl-std=CL1.2 -Xclang -finclude-default-header -target x86_64-pc-linux-gnu \
    -march=haswell -DYOSO_HAS_FP16=$fp16 -Werror -c -emit-llvm -o /dev/null "$kernels"
done
rm -f "$kernels"
ids="0,5,17,923,44,2;0,311,8,2,1,1" # two rows of the hd64 model (head dim 64)
clean_run() { # LABEL ATTENTION COMMAND-PREFIX...: fresh cache, stderr must stay empty
  local label=$1 attention=$2 cache err
  shift 2
  cache=$(mktemp -d /tmp/yoso-cache-XXXXXX)
  err=$(YOSO_CACHE_DIR=$cache "$@" "$build/yoso" logits -m tests/data/models/hd64 --ids "$ids" \
    --attention "$attention" --out "$cache/out.npy" 2>&1 >/dev/null) || { echo "$label: failed: $err"; exit 1; }
  [ -z "$err" ] || { echo "$label ($attention): stderr not empty:"; echo "$err"; exit 1; }
  echo "ok   $label $attention: nothing on stderr"
  rm -rf "$cache"
}
for attention in expectation lsh; do
  clean_run PoCL $attention env YOSO_DEVICE=pthread
  clean_run rusticl $attention "${rusticl[@]}"
done
for attention in expectation lsh; do
  clean_run Oclgrind $attention oclgrind --data-races --check-api
done

section "P3/5 the whole suite on Mesa rusticl (llvmpipe)"
"${rusticl[@]}" ctest --test-dir "$build" --output-on-failure -j2

section "P4/5 kernel-level suite under Oclgrind, 32 KiB local memory"
tools/oclgrind/suite.sh "$build"

section "P5/5 kernel-level suite under Oclgrind, work-groups of at most 64"
tools/oclgrind/suite.sh "$build" --max-wgsize 64
