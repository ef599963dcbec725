#!/usr/bin/env bash
# Builds a real MinIO server from its Go module for the S3 integration tests and the storage benchmark.
# MinIO's RELEASE.* tags are not semver, and the Go module proxy refuses them (403), so the version is
# pinned as the pseudo-version of a commit on master (the newest the proxy serves; it builds with Go 1.26).
# The binary is cached by version outside the repository: a second run is a no-op.
set -euo pipefail
MINIO_VERSION="${MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"
CACHE="${KUBESAFE_CACHE:-$HOME/.cache/kubesafe}"
BIN="$CACHE/bin"
TARGET="$BIN/minio-$MINIO_VERSION"
mkdir -p "$BIN"
if [ ! -x "$TARGET" ]; then
  command -v go >/dev/null || { echo "build-minio: Go is not installed; the S3 tests fall back to s3rver" >&2; exit 1; }
  WORK="$(mktemp -d)"
  trap 'rm -rf "$WORK"' EXIT
  # -trimpath and no debug info keep the binary smaller; nice keeps a 2-core machine usable meanwhile.
  GOBIN="$WORK" CGO_ENABLED=0 nice -n 10 go install -trimpath -ldflags '-s -w' "github.com/minio/minio@$MINIO_VERSION"
  mv "$WORK/minio" "$TARGET"
fi
ln -sfn "$(basename "$TARGET")" "$BIN/minio"
echo "$BIN/minio"
