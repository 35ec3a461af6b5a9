#!/usr/bin/env bash
# `npm install`'s last step: the system packages the native engine builds against, then the
# engine itself. It runs here rather than as a dependency's install script because npm builds
# dependencies before any script of the project runs, so OpenBLAS would arrive too late.
# As root with apt it installs what is missing; otherwise build-native.sh says in one line
# what to install. Never fails the install: without the engine, training falls back to wasm.
set -uo pipefail
cd "$(dirname "$0")/../.."

need="$(bash infra/setup/native-requirements.sh)"
if [ -n "$need" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "regsweep: installing $need for the native training engine"
  # A failure is already one line; the build step below then says what is still missing.
  bash infra/setup/apt-install.sh $need || true
fi
exec bash infra/setup/build-native.sh
