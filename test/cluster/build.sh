#!/usr/bin/env bash
# Builds (once) every binary of the test control plane from Go modules and caches it by version
# outside the repository:  ${KUBESAFE_CACHE:-$HOME/.cache/kubesafe}/bin/<component>-<version>
# Only what is missing is built. Versions: test/cluster/versions.env.
#
#   bash test/cluster/build.sh            build what is missing
#   bash test/cluster/build.sh --print    print the binary paths (nothing is built)
#
# Needs Go (>= the versions' go directives; 1.26 here) with a module proxy, and openssl (installed
# with apt-get when missing, for up.sh's certificates).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$HERE/versions.env"
CACHE="${KUBESAFE_CACHE:-$HOME/.cache/kubesafe}"
BIN="$CACHE/bin"
SRC="$CACHE/src"
GO_P="${KUBESAFE_GO_P:-2}"
mkdir -p "$BIN" "$SRC"

log() { printf '[build %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

fake_csi_version() {
  # Content hash of the driver's sources: a changed driver is rebuilt, an unchanged one is reused.
  (cd "$HERE/fake-csi" && cat go.mod go.sum $(ls ./*.go | sort) 2>/dev/null | sha256sum | cut -c1-12)
}

print_paths() {
  cat <<EOF
KUBE_APISERVER=$BIN/kube-apiserver-$KUBERNETES_VERSION
KUBE_CONTROLLER_MANAGER=$BIN/kube-controller-manager-$KUBERNETES_VERSION
KUBE_SCHEDULER=$BIN/kube-scheduler-$KUBERNETES_VERSION
KUBECTL=$BIN/kubectl-$KUBERNETES_VERSION
ETCD=$BIN/etcd-$ETCD_VERSION
ETCDCTL=$BIN/etcdctl-$ETCD_VERSION
ETCDUTL=$BIN/etcdutl-$ETCD_VERSION
ETCD36_DIR=$BIN/etcd3.6
KWOK=$BIN/kwok-$KWOK_VERSION
SNAPSHOT_CONTROLLER=$BIN/snapshot-controller-$EXTERNAL_SNAPSHOTTER_VERSION
CSI_SNAPSHOTTER=$BIN/csi-snapshotter-$EXTERNAL_SNAPSHOTTER_VERSION
CSI_PROVISIONER=$BIN/csi-provisioner-$EXTERNAL_PROVISIONER_VERSION
FAKE_CSI=$BIN/fake-csi-$(fake_csi_version)
SNAPSHOT_CRD_DIR=$SRC/snapshot-crds-$SNAPSHOTTER_CLIENT_VERSION
KWOK_MANIFESTS=$SRC/kwok-manifests-$KWOK_VERSION
EOF
}

if [[ "${1:-}" == "--print" ]]; then print_paths; exit 0; fi

command -v go >/dev/null || { echo "build.sh: Go is required (go 1.26+)" >&2; exit 1; }
missing=()
for t in openssl jq curl; do command -v "$t" >/dev/null || missing+=("$t"); done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

export CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=local

# Copies a dependency's replace directives that point at module versions into the current go.mod,
# and turns its local ./staging/src/k8s.io/X replaces into k8s.io/X at the given staging version.
copy_replaces() { # gomod-file staging-version
  local gomod="$1" staging="${2:-}"
  go mod edit -json "$gomod" | jq -r --arg st "$staging" '
    (.Replace // [])[] |
    if .New.Version then "\(.Old.Path)=\(.New.Path)@\(.New.Version)"
    elif ($st != "" and (.New.Path | startswith("./staging/src/"))) then "\(.Old.Path)=\(.Old.Path)@\($st)"
    else empty end' | while read -r r; do go mod edit -replace="$r"; done
}

# build_tools NAME STAMP "module@version ..." "pkg@version ..." LDFLAGS [STAGING] [GODEBUG]
# One small tools module per upstream, so that minimum version selection never mixes their k8s.io
# versions. Outputs land in $SRC/NAME-STAMP/out/.
build_tools() {
  local name="$1" stamp="$2" mods="$3" pkgs="$4" ldflags="$5" staging="${6:-}" godebug="${7:-}"
  local dir="$SRC/$name-$stamp"
  mkdir -p "$dir/out"
  (
    cd "$dir"
    [[ -f go.mod ]] || go mod init "kubesafe.test/tools/$name" >/dev/null 2>&1
    go mod edit -go=1.26
    [[ -z "$godebug" ]] || go mod edit -godebug="$godebug"
    local m gm
    for m in $mods; do
      gm="$(go mod download -json "$m" | jq -r .GoMod)"
      copy_replaces "$gm" "$staging"
    done
    log "$name: resolving $pkgs"
    # shellcheck disable=SC2086
    go get -tool $pkgs >"$dir/get.log" 2>&1 || { cat "$dir/get.log" >&2; exit 1; }
    local plist=() p
    for p in $pkgs; do plist+=("${p%@*}"); done
    log "$name: compiling ${plist[*]} (go build -p $GO_P)"
    go build -p "$GO_P" -trimpath -ldflags "-s -w $ldflags" -o "$dir/out/" "${plist[@]}"
  )
}

need() { # any of the given files missing?
  local f
  for f in "$@"; do [[ -x "$f" ]] || return 0; done
  return 1
}

started=$(date +%s)

# --- etcd 3.6: server, etcdctl, etcdutl ---------------------------------------------------------
if need "$BIN/etcd-$ETCD_VERSION" "$BIN/etcdctl-$ETCD_VERSION" "$BIN/etcdutl-$ETCD_VERSION"; then
  v="$ETCD_VERSION"
  build_tools etcd "$v" "go.etcd.io/etcd/server/v3@$v go.etcd.io/etcd/etcdutl/v3@$v go.etcd.io/etcd/etcdctl/v3@$v" \
    "go.etcd.io/etcd/server/v3@$v go.etcd.io/etcd/etcdctl/v3@$v go.etcd.io/etcd/etcdutl/v3@$v" ""
  # `go build -o dir/` names a .../server/v3 main package "server".
  install -m 0755 "$SRC/etcd-$v/out/server" "$BIN/etcd-$v"
  install -m 0755 "$SRC/etcd-$v/out/etcdctl" "$BIN/etcdctl-$v"
  install -m 0755 "$SRC/etcd-$v/out/etcdutl" "$BIN/etcdutl-$v"
fi
mkdir -p "$BIN/etcd3.6"
for c in etcd etcdctl etcdutl; do ln -sfn "../$c-$ETCD_VERSION" "$BIN/etcd3.6/$c"; done

# --- Kubernetes: kube-apiserver, kube-controller-manager, kube-scheduler, kubectl ----------------
K="$KUBERNETES_VERSION"
if need "$BIN/kube-apiserver-$K" "$BIN/kube-controller-manager-$K" "$BIN/kube-scheduler-$K" "$BIN/kubectl-$K"; then
  minor="${K#v1.}"; minor="${minor%%.*}"
  staging="v0.${K#v1.}"
  now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  lf=""
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    lf+=" -X $p.gitVersion=$K -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=$now"
  done
  build_tools kubernetes "$K" "k8s.io/kubernetes@$K" \
    "k8s.io/kubernetes/cmd/kube-apiserver@$K k8s.io/kubernetes/cmd/kube-controller-manager@$K k8s.io/kubernetes/cmd/kube-scheduler@$K k8s.io/kubernetes/cmd/kubectl@$K" \
    "$lf" "$staging" "default=go1.25"
  for c in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    install -m 0755 "$SRC/kubernetes-$K/out/$c" "$BIN/$c-$K"
  done
fi

# --- external-snapshotter: snapshot-controller, csi-snapshotter (+ the v1 CRDs) ------------------
S="$EXTERNAL_SNAPSHOTTER_VERSION"
if need "$BIN/snapshot-controller-$S" "$BIN/csi-snapshotter-$S"; then
  build_tools snapshotter "$S" "github.com/kubernetes-csi/external-snapshotter/v8@$S" \
    "github.com/kubernetes-csi/external-snapshotter/v8/cmd/snapshot-controller@$S github.com/kubernetes-csi/external-snapshotter/v8/cmd/csi-snapshotter@$S" \
    "-X main.version=$S"
  for c in snapshot-controller csi-snapshotter; do install -m 0755 "$SRC/snapshotter-$S/out/$c" "$BIN/$c-$S"; done
fi
CRDS="$SRC/snapshot-crds-$SNAPSHOTTER_CLIENT_VERSION"
if [[ ! -f "$CRDS/snapshot.storage.k8s.io_volumesnapshots.yaml" ]]; then
  d="$(cd "$SRC" && go mod download -json "github.com/kubernetes-csi/external-snapshotter/client/v8@$SNAPSHOTTER_CLIENT_VERSION" | jq -r .Dir)"
  mkdir -p "$CRDS"
  cp "$d"/config/crd/snapshot.storage.k8s.io_volumesnapshot{classes,contents,s}.yaml "$CRDS/"
  chmod u+w "$CRDS"/*.yaml
fi

# --- external-provisioner: csi-provisioner -------------------------------------------------------
P="$EXTERNAL_PROVISIONER_VERSION"
if need "$BIN/csi-provisioner-$P"; then
  build_tools provisioner "$P" "github.com/kubernetes-csi/external-provisioner/v6@$P" \
    "github.com/kubernetes-csi/external-provisioner/v6/cmd/csi-provisioner@$P" "-X main.version=$P"
  install -m 0755 "$SRC/provisioner-$P/out/csi-provisioner" "$BIN/csi-provisioner-$P"
fi

# --- KWOK (+ its stage files) --------------------------------------------------------------------
W="$KWOK_VERSION"
if need "$BIN/kwok-$W"; then
  build_tools kwok "$W" "sigs.k8s.io/kwok@$W" "sigs.k8s.io/kwok/cmd/kwok@$W" \
    "-X sigs.k8s.io/kwok/pkg/consts.Version=$W"
  install -m 0755 "$SRC/kwok-$W/out/kwok" "$BIN/kwok-$W"
fi
KM="$SRC/kwok-manifests-$W"
if [[ ! -f "$KM/crd/kwok.x-k8s.io_stages.yaml" ]]; then
  d="$(cd "$SRC" && go mod download -json "sigs.k8s.io/kwok@$W" | jq -r .Dir)"
  mkdir -p "$KM/crd" "$KM/stage"
  cp -r "$d/kustomize/stage/." "$KM/stage/" && cp "$d"/kustomize/crd/bases/*.yaml "$KM/crd/" && chmod -R u+w "$KM"
fi

# --- the fake zonal CSI driver (this repository) -------------------------------------------------
FV="$(fake_csi_version)"
if need "$BIN/fake-csi-$FV"; then
  log "fake-csi: compiling ($FV)"
  (cd "$HERE/fake-csi" && go build -p "$GO_P" -trimpath -ldflags "-s -w" -o "$BIN/fake-csi-$FV.tmp" . \
    && mv "$BIN/fake-csi-$FV.tmp" "$BIN/fake-csi-$FV")
fi

log "done in $(( $(date +%s) - started ))s; binaries in $BIN"
print_paths
