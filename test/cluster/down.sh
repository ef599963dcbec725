#!/usr/bin/env bash
# Stops the test cluster that up.sh started (by the PID files in .kubesafe-cluster/pids, each a
# process group) and deletes its state. Nothing else is touched.
#
#   bash test/cluster/down.sh            stop and delete the state
#   bash test/cluster/down.sh --keep     stop, keep the state (logs, volumes) for inspection
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STATE="${KUBESAFE_CLUSTER_DIR:-$ROOT/.kubesafe-cluster}"
PIDS="$STATE/pids"
# One up.sh/down.sh at a time per state directory (parallel test workers call up.sh).
LOCK="${TMPDIR:-/tmp}/kubesafe-cluster-$(printf '%s' "$STATE" | sha256sum | cut -c1-12).lock"
if [[ -z "${KUBESAFE_CLUSTER_LOCKED:-}" ]]; then exec 9>"$LOCK"; flock 9; fi
KEEP=false
[[ "${1:-}" == "--keep" ]] && KEEP=true

# Reverse start order: the sidecars first, etcd last.
ORDER=(csi-provisioner csi-snapshotter snapshot-controller fake-csi kwok kube-scheduler kube-controller-manager kube-apiserver etcd)

stop() { # name
  local f="$PIDS/$1.pid" pid
  [[ -f "$f" ]] || return 0
  pid="$(cat "$f")"
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
    # Only a process group led by the PID we started (setsid in up.sh).
    if [[ "$(ps -o pgid= -p "$pid" | tr -d ' ')" == "$pid" ]]; then
      kill -TERM -- "-$pid" 2>/dev/null || true
    else
      kill -TERM "$pid" 2>/dev/null || true
    fi
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "[down] $1 (pid $pid) did not stop in 5s: killing it" >&2
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  # Anything left in the group (a supervised sidecar's child).
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$f"
}

if [[ -d "$PIDS" ]]; then
  for c in "${ORDER[@]}"; do stop "$c"; done
  for f in "$PIDS"/*.pid; do [[ -e "$f" ]] && stop "$(basename "$f" .pid)"; done
fi

if [[ -f "$STATE/env" ]]; then
  sock="$(sed -n 's/^KUBESAFE_CSI_SOCKET=//p' "$STATE/env")"
  [[ "$sock" == /tmp/kubesafe-csi-* ]] && rm -rf "$(dirname "$sock")"
fi
if $KEEP; then
  echo "[down] stopped; state kept in $STATE" >&2
else
  rm -rf "$STATE"
  echo "[down] stopped; removed $STATE" >&2
fi
