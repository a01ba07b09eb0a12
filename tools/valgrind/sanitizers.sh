#!/usr/bin/env bash
# Builds the whole project with -DYOSO_SANITIZE=ON (AddressSanitizer + LeakSanitizer +
# UndefinedBehaviorSanitizer, every UB fatal) and runs the whole CTest suite under it; the CLI
# programs the tests start are sanitized too. Leaks inside the OpenCL stack only are suppressed
# (tools/valgrind/lsan.supp, each entry explained there).
#
#   tools/valgrind/sanitizers.sh BUILD_DIR [extra ctest arguments, e.g. -E golden]
#
# One known flake is retried, and only that one: LeakSanitizer's own tracer thread can crash
# ("LeakSanitizer has encountered a fatal error" / "Tracer caught signal 11") while it stops the
# world at exit, racing PoCL worker threads that are shutting down. A test that failed that way
# and with no sanitizer report of ours is rerun once; any other failure fails at once.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:?usage: sanitizers.sh BUILD_DIR [ctest arguments]}"
shift
cmake -S "$root" -B "$build" -DYOSO_SANITIZE=ON -DYOSO_WERROR=ON >/dev/null
cmake --build "$build" -j2
# Only PoCL's ICD is loaded: Mesa's rusticl and clover (mesa-opencl-icd, installed for the rusticl
# stage of .ci/run) leak at exit from Rust code whose frames LeakSanitizer cannot unwind, so those
# leaks carry no library name to suppress. Our code is the same whichever driver runs it; rusticl's
# answers are checked in their own CI stage.
export OCL_ICD_VENDORS="${OCL_ICD_VENDORS:-/etc/OpenCL/vendors/pocl.icd}"
# intercept_tls_get_addr=0: ASan's __tls_get_addr interceptor records a bogus dynamic-TLS block
# (begin 0x5000008cb) for libgomp's worker thread once oneDNN (dlopen'ed libdnnl) has run a matmul,
# and LeakSanitizer's tracer then dies with SIGSEGV scanning it at exit ("Tracer caught signal 11",
# gcc 12's libsanitizer, glibc 2.36; OMP_NUM_THREADS=1 makes it go away). Heap and static TLS are
# still scanned; only pointers kept solely in dlopen'ed libraries' thread-locals go unseen.
export ASAN_OPTIONS="detect_leaks=1:intercept_tls_get_addr=0"
export LSAN_OPTIONS="suppressions=$root/tools/valgrind/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
log="$build/sanitizers-ctest.log"
status=0
ctest --test-dir "$build" --output-on-failure "$@" 2>&1 | tee "$log" || status=$?
[ $status -eq 0 ] && exit 0
if grep -q "LeakSanitizer has encountered a fatal error" "$log" &&
   ! grep -qE "ERROR: AddressSanitizer|ERROR: LeakSanitizer: detected|runtime error:" "$log"; then
  echo "sanitizers: LeakSanitizer's tracer crashed (see $0): rerunning the failed tests once"
  ctest --test-dir "$build" --output-on-failure --rerun-failed
  exit $?
fi
exit 1
