#!/usr/bin/env bash
# Builds the native training engine (native/, an N-API addon over OpenBLAS) in place.
# `npm install` runs this after installing the system packages it needs (postinstall.sh);
# run it again with `npm run build:native` after installing them by hand.
# Exit 0 with one line on stderr when the build cannot happen here: training then falls back
# to wasm, and the worker's ready line says so.
set -uo pipefail
cd "$(dirname "$0")/../.."
log=native/build.log

missing="$(bash infra/setup/native-requirements.sh)"
if [ -n "$missing" ]; then
  echo "regsweep: native engine not built: missing $missing; run 'sudo apt-get install $missing' then 'npm run build:native' (training uses the slower wasm engine until then)" >&2
  exit 0
fi

# npm hands its own node-gyp to scripts; outside npm, use the one npm ships.
node_gyp="${npm_config_node_gyp:-$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js}"
# .npmrc's nodedir=/usr: build against the installed Node's headers, never download them.
if node "$node_gyp" rebuild --directory native --nodedir="${npm_config_nodedir:-/usr}" >"$log" 2>&1; then
  echo "regsweep: native engine built (native/build/Release/regsweep_native.node)"
else
  echo "regsweep: native engine build failed; see $log (training uses the slower wasm engine until 'npm run build:native' succeeds)" >&2
fi
exit 0
