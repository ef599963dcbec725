#!/usr/bin/env bash
# Builds actionlint from its Go module into the cache (checks workflows and action files in CI).
set -euo pipefail
VERSION=v1.7.7
CACHE="${KUBESAFE_CACHE:-$HOME/.cache/kubesafe}"
bin="$CACHE/bin/actionlint-$VERSION"
if [ ! -x "$bin" ]; then
  mkdir -p "$CACHE/bin"
  GOBIN="$CACHE/gobin-actionlint" go install "github.com/rhysd/actionlint/cmd/actionlint@$VERSION"
  mv "$CACHE/gobin-actionlint/actionlint" "$bin"
fi
ln -sf "$bin" "$CACHE/bin/actionlint"
