#!/usr/bin/env bash
# Installs the pinned Temporal CLI (dev server included) unless it is already there.
# v1.5.1 is the newest tag that `go install` can build: later tags carry `replace` directives.
set -euo pipefail
version="v1.5.1"
gobin="$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin"

# A go-installed binary reports version 0.0.0-DEV; its embedded module version is the truth.
have_pinned() {
  "$1" --version 2>/dev/null | grep -q "temporal version ${version#v}" && return 0
  command -v go >/dev/null 2>&1 && go version -m "$1" 2>/dev/null | grep -qE "mod\s+github.com/temporalio/cli\s+${version}\s"
}

for candidate in "${TEMPORAL_CLI_PATH:-}" "$(command -v temporal || true)" "$gobin/temporal"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ] && have_pinned "$candidate"; then
    echo "temporal CLI ${version} found at $candidate"
    exit 0
  fi
done

if ! command -v go >/dev/null 2>&1; then
  echo "the Temporal CLI is missing and Go is not installed: install Go (https://go.dev/dl), or download temporal ${version} from https://github.com/temporalio/cli/releases and set TEMPORAL_CLI_PATH" >&2
  exit 1
fi
echo "building temporal CLI ${version} with go install (a few minutes the first time; cached afterwards)"
GOFLAGS="${GOFLAGS:-} -trimpath" go install "github.com/temporalio/cli/cmd/temporal@${version}"
"$gobin/temporal" --version
