#!/usr/bin/env bash
# The webgpu engine's GPU check, for an x86-64 Linux machine with one GPU and no network:
# it needs only this working tree and bench/gpu-check-bundle/ (made beforehand by
# bench/gpu-check-bundle.sh), no Node.js, no npm. It unpacks the bundled Node 20, Dawn and the
# check program into a temporary folder, uses the bundled Vulkan loader (Debian's libvulkan1)
# when the machine has none, and runs bench/gpu-check.ts: the adapter, a few stacked steps
# against the cpu engine, then 2 epochs of the d2l MLP single-run and K-run batched for
# K = 1, 8, 32, 128, with seconds per epoch, runs·epochs per second and agreement.
#
#   bash bench/gpu-check.sh                       # the full check
#   bash bench/gpu-check.sh --runs 1,2 --train-subset 2000 --epochs 1   # options of bench/gpu-check.ts
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bundle="$here/gpu-check-bundle"
fail() {
  echo "gpu-check: $*" >&2
  exit 1
}
[ -f "$bundle/SHA256SUMS" ] || fail "no bundle at $bundle; make it with bench/gpu-check-bundle.sh on a machine with npm and apt"
[ "$(uname -m)" = x86_64 ] || fail "the bundle holds linux-x64 builds; this machine is $(uname -m)"
(cd "$bundle" && sha256sum --quiet -c SHA256SUMS) || fail "the bundle at $bundle is damaged (SHA256SUMS does not match); copy it again"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# xz from the machine, else the bundle's own (Debian's xz-utils with its liblzma).
unxz_to() {
  if command -v xz >/dev/null; then
    xz -dc "$1" >"$2"
  else
    LD_LIBRARY_PATH="$bundle/tools${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$bundle/tools/xz" -dc "$1" >"$2"
  fi
}
unxz_to "$bundle/node.xz" "$work/node"
chmod +x "$work/node"
unxz_to "$bundle/gpu-check.mjs.xz" "$work/gpu-check.mjs"
mkdir -p "$work/node_modules/webgpu/dist/linux-x64"
cp "$bundle/webgpu/package.json" "$bundle/webgpu/index.js" "$work/node_modules/webgpu/"
unxz_to "$bundle/webgpu/dist/linux-x64/dawn.node.xz" "$work/node_modules/webgpu/dist/linux-x64/dawn.node"

# Dawn opens libvulkan.so.1; without one it cannot reach the GPU's Vulkan driver.
if ! { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q 'libvulkan\.so\.1 '; then
  echo "gpu-check: no Vulkan loader on this machine; using the bundle's (Debian $(grep libvulkan1 "$bundle/DEBIAN-PACKAGES" || echo libvulkan1))"
  export LD_LIBRARY_PATH="$bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
if command -v nvidia-smi >/dev/null; then
  echo "gpu-check: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)"
fi

export REGSWEEP_DATA_DIR="$bundle/data"
"$work/node" "$work/gpu-check.mjs" "$@"
