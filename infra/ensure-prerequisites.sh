#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks for `npm start` and `npm test`:
# the pinned Temporal CLI and the Fashion-MNIST dataset package. Idempotent and quick
# when both are present.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin:$HOME/go/bin"

dataset=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
if [ -z "${REGSWEEP_DATA_DIR:-}" ] && [ ! -f "$dataset" ] && [ ! -f "$HOME/.cache/regsweep/fashion-mnist/train-images-idx3-ubyte.gz" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's dataset-fashion-mnist package"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null
  else
    echo "Fashion-MNIST is missing: run 'sudo apt-get install dataset-fashion-mnist', or 'regsweep data fetch', or set REGSWEEP_DATA_DIR" >&2
    exit 1
  fi
fi

# The report tests open the generated HTML in Debian's headless Chromium.
if [ "${1:-}" = "--for-tests" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium package for the report tests"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "the report tests need Chromium at /usr/bin/chromium: run 'sudo apt-get install chromium'" >&2
    exit 1
  fi
fi

if [ -z "${TEMPORAL_ADDRESS:-}" ]; then
  bash infra/temporal/install-temporal-cli.sh
fi
