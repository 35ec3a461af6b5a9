#!/usr/bin/env bash
# Installs Debian packages quietly: apt's own chatter goes to a log, and a failure is one line
# naming the packages and the log. Waits for another apt (unattended upgrades) to finish first.
# Usage: apt-install.sh PACKAGE...
set -uo pipefail
log="${TMPDIR:-/tmp}/regsweep-apt.log"
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get -o DPkg::Lock::Timeout=600 update -qq && apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@"; } >"$log" 2>&1; then
  echo "regsweep: apt-get install $* failed; see $log" >&2
  exit 1
fi
