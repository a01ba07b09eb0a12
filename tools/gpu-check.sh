#!/usr/bin/env bash
# gpu-check.sh — yoso-cl on a Linux GPU machine that has the vendor's driver but no internet and
# no OpenCL packages, in one go (≤ 8 minutes), ending in one report file.
#
# 1. On a Debian 12 machine with apt and network, from the repository:
#        tools/gpu-check.sh --prepare DIR [--model FOLDER]
#    DIR receives debs/ (ICD loader, OpenCL headers, CLBlast, cJSON, PCRE2, CMocka, OpenBLAS,
#    cmake, pkg-config, a C compiler, with every dependency a minimal Debian 12 lacks), the
#    source (yoso-cl.tar.gz, tests/data included), model/ (a yoso-4096-shaped checkpoint:
#    FOLDER, else ~/.cache/yoso/yoso-4096, else random weights from
#    tools/fixtures/make_full_model.py) and a copy of this script.
# 2. Carry DIR to the GPU machine and run, as root (dpkg installs the missing .debs):
#        bash DIR/gpu-check.sh [--device SPEC] [--lengths "512 4096"]
#    It installs what is missing, finds the vendor's ICD library when /etc/OpenCL/vendors lacks an
#    entry (e.g. NVIDIA's libnvidia-opencl.so.1), builds, runs the test suite on the GPU, times
#    the CLI at 512 and 4096 tokens in both attention modes with fp32 and fp16 weights, times
#    Hugging Face's model (expectation mode) on the same GPU and inputs when PyTorch with CUDA and
#    transformers are importable, and writes DIR/gpu-check-report-<host>-<date>.md.
# Also runs in place from a built checkout (no DIR): tools/gpu-check.sh --here [--device SPEC];
# then nothing is installed and the model is --model FOLDER or ~/.cache/yoso/yoso-4096.
set -uo pipefail

die() { echo "gpu-check: $*" >&2; exit 1; }
log() { echo "gpu-check: $*" >&2; }
script_dir=$(cd "$(dirname "$0")" && pwd)

# ------------------------------------------------------------------------------ prepare ----
# The packages the build and the tests need (tools/install-deps.sh without the CPU drivers).
packages=(ocl-icd-libopencl1 ocl-icd-opencl-dev opencl-headers opencl-c-headers libclblast1
          libclblast-dev libopenblas0 libopenblas-dev libcmocka0 libcmocka-dev libcjson1 libcjson-dev
          libpcre2-dev clinfo cmake pkg-config gcc make libc6-dev)

# DIR [MODEL]: downloads the .debs with their dependency closure, packs the source and a model.
prepare() {
  local dir=$1 model=${2:-} repo
  repo=$(cd "$script_dir/.." && pwd)
  [ -f "$repo/CMakeLists.txt" ] || die "--prepare runs from a yoso-cl checkout (tools/gpu-check.sh)"
  command -v apt-get >/dev/null || die "--prepare needs apt-get (Debian 12)"
  mkdir -p "$dir/debs" || die "cannot create $dir"
  dir=$(cd "$dir" && pwd)
  log "resolving the dependencies of ${#packages[@]} packages"
  # apt's own resolution as if nothing were installed (an empty dpkg status: one consistent set,
  # first alternatives), minus the packages any Debian system has (Priority required/important)
  local empty closure want
  empty=$(mktemp)
  closure=$(apt-get -o Dir::State::status="$empty" -o Debug::NoLocking=1 --print-uris -qq \
    --no-install-recommends install "${packages[@]}" | awk '{print $2}' | sed 's/_.*//' | sort -u)
  rm -f "$empty"
  [ -n "$closure" ] || die "apt-get could not resolve ${packages[*]}: run apt-get update"
  # shellcheck disable=SC2086
  mapfile -t want < <(apt-cache show --no-all-versions $closure 2>/dev/null |
    awk '/^Package:/ { p = $2 } /^Priority:/ && $2 != "required" && $2 != "important" { print p }' |
    grep -vxE 'usrmerge|usr-is-merged' | sort -u) # never convert the target's /usr layout
  log "downloading ${#want[@]} .deb files into $dir/debs"
  (cd "$dir/debs" && apt-get download "${want[@]}" >/dev/null) || die "apt-get download failed"
  log "packing the source"
  if git -C "$repo" rev-parse HEAD >/dev/null 2>&1; then
    git -C "$repo" archive --format=tar.gz -o "$dir/yoso-cl.tar.gz" HEAD || die "git archive failed"
    git -C "$repo" rev-parse --short HEAD >"$dir/yoso-cl.commit"
  else
    tar -C "$repo" --exclude=build --exclude='build-*' -czf "$dir/yoso-cl.tar.gz" . || die "tar failed"
  fi
  [ -n "$model" ] || model="$HOME/.cache/yoso/yoso-4096"
  if [ -f "$model/config.json" ] && [ "$(cd "$model" && pwd)" = "$dir/model" ]; then
    log "keeping the model already in $dir/model"
  elif [ -f "$model/config.json" ]; then
    rm -rf "$dir/model"
    log "copying the model $model"
    cp -r "$model" "$dir/model" || die "cannot copy $model"
  else
    rm -rf "$dir/model"
    log "no model at $model: writing a random yoso-4096-shaped one (needs torch + transformers)"
    "${PYTHON:-python3}" "$repo/tools/fixtures/make_full_model.py" "$dir/model" >/dev/null ||
      die "cannot make a model: pass --model FOLDER or run tools/download-model.sh first"
  fi
  cp "$0" "$dir/gpu-check.sh"
  log "ready: $(du -sh "$dir" | cut -f1) in $dir; on the GPU machine run: bash $dir/gpu-check.sh"
}

# -------------------------------------------------------------------------------- check ----
# Installs the carried .debs that are not installed yet.
install_debs() {
  local debs=() name
  # shellcheck disable=SC1091
  if [ "$(. /etc/os-release 2>/dev/null && echo "$ID $VERSION_ID")" != "debian 12" ] && [ "$force_debs" = 0 ]; then
    die "the carried .debs are Debian 12's and this is $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"): install OpenCL headers, the ICD loader, CLBlast, cJSON, PCRE2, CMocka, OpenBLAS, cmake with its package manager and rerun with --here, or pass --force-debs"
  fi
  for f in "$1"/*.deb; do
    name=$(dpkg-deb -f "$f" Package)
    dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "install ok installed" || debs+=("$f")
  done
  [ ${#debs[@]} -eq 0 ] && { log "every carried package is installed already"; return 0; }
  [ "$(id -u)" -eq 0 ] || die "${#debs[@]} packages are missing: run as root to install them"
  log "installing ${#debs[@]} carried packages"
  dpkg -i "${debs[@]}" >"$work/dpkg.log" 2>&1 || die "dpkg -i failed: see $work/dpkg.log"
}

# Makes the vendor's OpenCL driver visible to the ICD loader: when no .icd file names a library
# that exists, writes one for the first vendor library found into a private folder
# (OCL_ICD_VENDORS; /etc is not touched).
find_icd() {
  local f lib usable=""
  for f in /etc/OpenCL/vendors/*.icd; do
    [ -f "$f" ] || continue
    lib=$(head -1 "$f")
    if [ -e "$lib" ] || ldconfig -p 2>/dev/null | grep -q "/$(basename "$lib")\$" ||
      compgen -G "/usr/lib/*-linux-gnu/$lib" >/dev/null || [ -e "/usr/lib64/$lib" ]; then
      usable="$usable${usable:+, }$(basename "$f") → $lib"
    fi
  done
  # a GPU vendor's entry present, or no vendor library to add: keep the system's list
  if [ -n "$usable" ] && { echo "$usable" | grep -qiE 'nvidia|amd|intel|igdrcl|mali' ||
    ! ldconfig -p 2>/dev/null | grep -qE 'libnvidia-opencl|libamdocl|libigdrcl'; }; then
    icd_note="/etc/OpenCL/vendors: $usable"
    return 0
  fi
  local names=(libnvidia-opencl.so.1 libamdocl64.so libigdrcl.so libmali.so libOpenCL-pocl.so.2)
  local dirs=(/usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib /usr/local/nvidia/lib64 /usr/local/lib
              /usr/lib/wsl/lib /opt/rocm/lib /opt/amdgpu-pro/lib64 /usr/lib/aarch64-linux-gnu)
  for n in "${names[@]}"; do
    lib=$(ldconfig -p 2>/dev/null | awk -v n="$n" '$1 == n {print $NF; exit}')
    [ -z "$lib" ] && for d in "${dirs[@]}" /usr/lib/nvidia*; do
      [ -e "$d/$n" ] && { lib="$d/$n"; break; }
    done
    if [ -n "$lib" ]; then
      mkdir -p "$work/vendors"
      for f in /etc/OpenCL/vendors/*.icd; do [ -f "$f" ] && cp "$f" "$work/vendors/"; done
      echo "$lib" >"$work/vendors/${n%%.so*}.icd"
      export OCL_ICD_VENDORS="$work/vendors"
      icd_note="no usable /etc/OpenCL/vendors entry; found $lib (OCL_ICD_VENDORS=$OCL_ICD_VENDORS)"
      return 0
    fi
  done
  icd_note="no vendor OpenCL library found (looked for ${names[*]})"
  return 1
}

# Seconds of yoso's forward pass (-v "forward … total X s"), best of two runs: LEN MODE PREC.
yoso_time() {
  local len=$1 mode=$2 prec=$3 ids best="" t
  ids=$(awk -v n="$len" 'BEGIN { s = "0"; for (i = 1; i < n - 1; i++) s = s "," (4 + (i * 7919) % 50000); print s ",2" }')
  for run in 1 2; do
    t=$(timeout 120 "$yoso" logits -v -d "$device" -m "$model" --ids "$ids" --attention "$mode" \
      $([ "$prec" = fp16 ] && echo --fp16) --out "$work/logits.npy" 2>&1 >/dev/null |
      sed -n 's/.*forward .* total \([0-9.]*\) s.*/\1/p' | tail -1)
    [ -z "$t" ] && { echo "failed"; return; }
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
  done
  echo "$best"
}

# Hugging Face's forward pass (expectation mode) on CUDA for the same ids: LEN PREC, or a reason.
hf_time() {
  timeout 150 "${PYTHON:-python3}" - "$model" "$1" "$2" <<'PY' 2>/dev/null || echo "n/a"
import sys, time
try:
    import torch
    from transformers import YosoForMaskedLM
except Exception:
    print("n/a (no torch/transformers)"); sys.exit(0)
if not torch.cuda.is_available():
    print("n/a (no CUDA)"); sys.exit(0)
folder, n, prec = sys.argv[1], int(sys.argv[2]), sys.argv[3]
model = YosoForMaskedLM.from_pretrained(folder, dtype=torch.float16 if prec == "fp16" else torch.float32)
model = model.cuda().eval()
ids = [0] + [4 + (i * 7919) % 50000 for i in range(1, n - 1)] + [2]
x = torch.tensor([ids], device="cuda")
best = None
with torch.no_grad():
    for _ in range(3):
        torch.cuda.synchronize(); t = time.perf_counter()
        model(input_ids=x)
        torch.cuda.synchronize(); t = time.perf_counter() - t
        best = t if best is None else min(best, t)
print(f"{best:.3f}")
PY
}

check() {
  local dir=$1 here=$2 start=$SECONDS src
  device=${device:-}
  work=$(mktemp -d /tmp/yoso-gpu-check-XXXXXX)
  if [ "$here" = 1 ]; then
    src=$(cd "$script_dir/.." && pwd)
    model=${model_arg:-$HOME/.cache/yoso/yoso-4096}
    report_dir=$src
  else
    [ -d "$dir/debs" ] || die "$dir/debs is missing: make DIR with tools/gpu-check.sh --prepare DIR"
    install_debs "$dir/debs"
    src="$dir/src"
    rm -rf "$src" && mkdir -p "$src" && tar -C "$src" -xzf "$dir/yoso-cl.tar.gz" || die "cannot unpack the source"
    model=${model_arg:-$dir/model}
    report_dir=$dir
  fi
  [ -f "$model/config.json" ] || die "no model at $model"
  icd_note=""
  find_icd || log "$icd_note"
  report="$report_dir/gpu-check-report-$(hostname -s)-$(date +%Y%m%d-%H%M).md"
  {
    echo "# yoso-cl GPU check, $(hostname -s), $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- source: $(cat "$dir/yoso-cl.commit" 2>/dev/null || git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "- OS: $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"), kernel $(uname -r), $(nproc) CPU cores"
    echo "- ICD: $icd_note"
    command -v nvidia-smi >/dev/null && echo "- nvidia-smi: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)"
    echo
    echo '## OpenCL devices (`clinfo -l`)'
    echo '```'
    clinfo -l 2>&1 | head -20
    echo '```'
  } >"$report"

  log "building in $src/build"
  if ! (cmake -S "$src" -B "$src/build" -DCMAKE_BUILD_TYPE=Release >"$work/cmake.log" 2>&1 &&
    cmake --build "$src/build" -j"$(nproc)" >>"$work/cmake.log" 2>&1); then
    { echo; echo "## Build: FAILED"; echo '```'; tail -30 "$work/cmake.log"; echo '```'; } >>"$report"
    die "build failed: see $report"
  fi
  yoso="$src/build/yoso"
  [ -n "$device" ] || device=$("$yoso" devices 2>/dev/null | sed -n 's/^\* \([0-9]*:[0-9]*\) .*/\1/p' | head -1)
  [ -n "$device" ] || device=0:0
  {
    echo; echo "## The device (\`yoso devices -d $device\`)"; echo '```'
    "$yoso" devices -d "$device" 2>&1 | sed -n '/^\*/,/fp16/p'
    echo '```'
  } >>"$report"

  log "running the test suite on $device"
  local t0=$SECONDS
  YOSO_DEVICE=$device timeout 240 ctest --test-dir "$src/build" -j2 --timeout 200 >"$work/ctest.log" 2>&1
  local rc=$?
  {
    echo; echo "## Test suite on $device: $([ $rc -eq 0 ] && echo passed || echo "FAILED (exit $rc)") in $((SECONDS - t0)) s"
    echo '```'; grep -E "tests passed|\*\*\*|Failed|Timeout" "$work/ctest.log" | head -40; echo '```'
    if [ $rc -ne 0 ]; then
      echo '<details><summary>failure output</summary>'; echo; echo '```'
      grep -E "ERROR|FAILED|error|max error|differ" "$work/ctest.log" | head -60; echo '```'; echo '</details>'
    fi
  } >>"$report"

  log "benchmark: forward pass at ${lengths} tokens (model $model)"
  {
    echo; echo "## Forward pass (one sequence, best of 2, seconds; yoso -v's forward total)"; echo
    echo "| tokens | attention | weights | yoso-cl | HF transformers (CUDA) |"
    echo "|---|---|---|---|---|"
  } >>"$report"
  for len in $lengths; do
    for mode in expectation lsh; do
      for prec in fp32 fp16; do
        [ $((SECONDS - start)) -gt 420 ] && { echo "| $len | $mode | $prec | skipped: 7 min budget spent | |" >>"$report"; continue; }
        local ours hf="—"
        ours=$(yoso_time "$len" "$mode" "$prec")
        [ "$mode" = expectation ] && hf=$(hf_time "$len" "$prec")
        echo "| $len | $mode | $prec | $ours | $hf |" >>"$report"
      done
    done
  done
  { echo; echo "Total time of this check: $((SECONDS - start)) s."; } >>"$report"
  log "report: $report"
  cat "$report"
  rm -rf "$work"
  return $rc
}

# ---------------------------------------------------------------------------------- main ----
mode=check dir=$script_dir here=0 force_debs=0 model_arg="" device="" lengths="512 4096"
while [ $# -gt 0 ]; do
  case "$1" in
    --prepare) mode=prepare; dir=${2:?--prepare needs a folder}; shift ;;
    --here) here=1 ;;
    --force-debs) force_debs=1 ;;
    --model) model_arg=${2:?--model needs a folder}; shift ;;
    --device) device=${2:?--device needs P:D or a name}; shift ;;
    --lengths) lengths=${2:?--lengths needs numbers}; shift ;;
    -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done
if [ "$mode" = prepare ]; then prepare "$dir" "$model_arg"; else check "$dir" "$here"; fi
