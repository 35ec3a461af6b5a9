#!/usr/bin/env bash
# Builds and runs bench/cpu-peak.c: this CPU's float32 FMA peak against OpenBLAS's sgemm on
# the evaluation's product. Uses the kernel set regsweep would pick (SkylakeX with AVX-512,
# Haswell with AVX2) unless OPENBLAS_CORETYPE is set; pass OPENBLAS_CORETYPE= to let OpenBLAS choose.
set -euo pipefail
cd "$(dirname "$0")/.."
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
gcc -O2 -std=gnu11 -Wall -Wextra bench/cpu-peak.c -o "$build/cpu-peak" -lopenblas -lpthread
if [ -z "${OPENBLAS_CORETYPE+set}" ]; then
  if grep -qw avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX; elif grep -qw avx2 /proc/cpuinfo; then export OPENBLAS_CORETYPE=Haswell; fi
fi
echo "OpenBLAS kernels: ${OPENBLAS_CORETYPE:-chosen by OpenBLAS}" >&2
"$build/cpu-peak" "$@"
