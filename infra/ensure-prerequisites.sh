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
    bash infra/setup/apt-install.sh dataset-fashion-mnist
  else
    echo "Fashion-MNIST is missing: run 'sudo apt-get install dataset-fashion-mnist', or 'regsweep data fetch', or set REGSWEEP_DATA_DIR" >&2
    exit 1
  fi
fi

# The report tests open the generated HTML in Debian's headless Chromium.
if [ "${1:-}" = "--for-tests" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium package for the report tests"
    bash infra/setup/apt-install.sh chromium
  else
    echo "the report tests need Chromium at /usr/bin/chromium: run 'sudo apt-get install chromium'" >&2
    exit 1
  fi
fi

# The webgpu engine's tests train on Mesa's software renderer through Dawn's OpenGL ES backend.
if [ "${1:-}" = "--for-tests" ]; then
  mesa="$(bash infra/setup/webgpu-requirements.sh)"
  if [ -n "$mesa" ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      echo "installing Debian's $mesa for the webgpu engine tests"
      bash infra/setup/apt-install.sh --no-install-recommends $mesa
    else
      echo "the webgpu engine tests need Mesa's EGL and software renderer: run 'sudo apt-get install $mesa'" >&2
      exit 1
    fi
  fi
fi

# The tests create a database per file in a PostgreSQL on 127.0.0.1:5432 (trust auth for user
# postgres), or in REGSWEEP_TEST_ADMIN_URL's server. A Debian cluster that is installed but
# stopped (after a reboot) is started.
if [ "${1:-}" = "--for-tests" ] && [ -z "${REGSWEEP_TEST_ADMIN_URL:-}" ] && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if [ "$(id -u)" = "0" ] && command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ] && [ -n "$(ls /etc/postgresql)" ]; then
    echo "starting the PostgreSQL cluster on 5432 for the tests"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start
  else
    echo "the tests need a PostgreSQL on 127.0.0.1:5432 where user postgres may create databases (trust auth), or REGSWEEP_TEST_ADMIN_URL naming such a server" >&2
    exit 1
  fi
fi

if [ -z "${TEMPORAL_ADDRESS:-}" ]; then
  bash infra/temporal/install-temporal-cli.sh
fi
