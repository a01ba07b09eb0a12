#!/usr/bin/env bash
# Installs the Debian 12 packages yoso-cl needs to build and test. Idempotent; run as root.
set -euo pipefail
packages=(build-essential cmake pkg-config ocl-icd-opencl-dev opencl-headers libclblast-dev
          clblast-utils pocl-opencl-icd libopenblas-dev libcmocka-dev libcjson-dev libpcre2-dev clinfo
          mesa-opencl-icd oclgrind # Mesa's rusticl and Oclgrind: .ci/run's portability stages
          libmicrohttpd-dev curl # the HTTP server and its tests
          libdnnl-dev) # oneDNN: nn.Linear weights packed once on CPUs (src/host/gemm/gemm_onednn.c)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
