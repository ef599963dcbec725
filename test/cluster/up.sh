#!/usr/bin/env bash
# Starts kubesafe's test Kubernetes control plane on 127.0.0.1 (see README.md beside this file).
# Idempotent: a healthy running cluster is reused and this returns at once.
#
#   bash test/cluster/up.sh          start (or reuse); prints `export KUBECONFIG=...`
#   eval "$(bash test/cluster/up.sh)"   ... and use it in this shell
#
# State, logs, pids and kubeconfigs: <repo>/.kubesafe-cluster/ (KUBESAFE_CLUSTER_DIR overrides).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STATE="${KUBESAFE_CLUSTER_DIR:-$ROOT/.kubesafe-cluster}"
# One up.sh/down.sh at a time per state directory (parallel test workers call up.sh).
LOCK="${TMPDIR:-/tmp}/kubesafe-cluster-$(printf '%s' "$STATE" | sha256sum | cut -c1-12).lock"
exec 9>"$LOCK"
flock 9
# shellcheck source=versions.env
source "$HERE/versions.env"

# Fixed loopback ports (clear of etcd's 2379/2380 that other tests use). A second cluster can run
# beside the first with its own KUBESAFE_CLUSTER_DIR and KUBESAFE_CLUSTER_PORT_OFFSET (added to each).
OFF="${KUBESAFE_CLUSTER_PORT_OFFSET:-0}"
ETCD_CLIENT_PORT=$((12379 + OFF))
ETCD_PEER_PORT=$((12380 + OFF))
APISERVER_PORT=$((16443 + OFF))
KCM_PORT=$((16257 + OFF))
SCHEDULER_PORT=$((16259 + OFF))
KWOK_PORT=$((16250 + OFF))
CSI_CONTROL_PORT=$((16280 + OFF))

DRIVER=fake.csi.kubesafe.dev
TOPOLOGY_KEY=topology.fake.csi.kubesafe.dev/zone
ZONES=(zone-a zone-b zone-c)
NODES_PER_ZONE=2
ZONE_CAPACITY_BYTES="${KUBESAFE_ZONE_CAPACITY_BYTES:-107374182400}" # 100 GiB per zone

t0=$(date +%s%N)
log() { local ds=$(( ($(date +%s%N) - t0) / 100000000 )); printf '[up %3d.%ds] %s\n' $((ds / 10)) $((ds % 10)) "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

PKI="$STATE/pki"
LOGS="$STATE/logs"
PIDS="$STATE/pids"
API="https://127.0.0.1:$APISERVER_PORT"
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok fake-csi snapshot-controller csi-snapshotter csi-provisioner)

print_exports() {
  echo "export KUBECONFIG=$STATE/admin.kubeconfig"
}

alive() { local f="$PIDS/$1.pid"; [[ -f "$f" ]] && kill -0 "$(cat "$f")" 2>/dev/null; }

healthy() {
  [[ -f "$STATE/env" && -f "$STATE/admin.kubeconfig" ]] || return 1
  local c
  for c in "${COMPONENTS[@]}"; do alive "$c" || return 1; done
  curl -sf --max-time 3 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "$API/readyz" >/dev/null || return 1
  curl -sf --max-time 3 "http://127.0.0.1:$CSI_CONTROL_PORT/healthz" >/dev/null || return 1
}

# ---- processes ----------------------------------------------------------------------------------
# Each component runs in its own session (setsid), so its PID is its process group and down.sh can
# stop it with everything it started.
start() { # name cmd...
  local name="$1"; shift
  setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null 9>&- &
  echo $! >"$PIDS/$name.pid"
}
# The CSI sidecars exit when they lose the driver's socket: restart them, like a kubelet would.
supervise() { # name cmd...
  local name="$1"; shift
  setsid bash -c 'while :; do "$@"; echo "[supervisor] exited with status $?; restarting in 1s" >&2; sleep 1; done' \
    supervise "$@" >>"$LOGS/$name.log" 2>&1 </dev/null 9>&- &
  echo $! >"$PIDS/$name.pid"
}
wait_for() { # description timeout-seconds command...
  local what="$1" timeout="$2"; shift 2
  local deadline=$(( $(date +%s) + timeout ))
  until "$@" >/dev/null 2>&1; do
    if (( $(date +%s) >= deadline )); then die "timed out after ${timeout}s waiting for $what"; fi
    sleep 0.2
  done
}
check_alive() { alive "$1" || { tail -n 30 "$LOGS/$1.log" >&2; die "$1 exited (log: $LOGS/$1.log)"; }; }

k() { "$KUBECTL" --kubeconfig "$STATE/admin.kubeconfig" "$@"; }

SOCK="$STATE/csi/csi.sock"
if (( ${#SOCK} > 100 )); then # unix socket paths are limited to 108 bytes
  SOCK="/tmp/kubesafe-csi-$(printf '%s' "$STATE" | sha256sum | cut -c1-12)/csi.sock"
fi
start_fake_csi() {
  mkdir -p "$(dirname "$SOCK")"
  start fake-csi "$FAKE_CSI" --endpoint "unix://$SOCK" --state-dir "$STATE" \
    --control-address "127.0.0.1:$CSI_CONTROL_PORT" --control-url-file "$STATE/csi-control-url" \
    --driver-name "$DRIVER" --topology-key "$TOPOLOGY_KEY" --zones "$(IFS=,; echo "${ZONES[*]}")" \
    --zone-capacity-bytes "$ZONE_CAPACITY_BYTES"
  echo "$FAKE_CSI" >"$STATE/fake-csi.bin"
  wait_for "the fake CSI driver" 10 test -S "$SOCK"
}

eval "$(bash "$HERE/build.sh" --print)"

if healthy; then
  if [[ "$(cat "$STATE/fake-csi.bin" 2>/dev/null)" != "$FAKE_CSI" ]]; then
    # The driver's sources changed: swap the driver only (its state is on disk; the supervised
    # sidecars reconnect), so the other tests using this cluster keep their objects.
    log "fake-csi changed: rebuilding it and restarting the driver"
    bash "$HERE/build.sh" 9>&- >/dev/null || die "build.sh failed"
    KUBESAFE_CLUSTER_LOCKED=1 bash "$HERE/down.sh" --only fake-csi >&2
    start_fake_csi
    wait_for "the CSI control server" 10 curl -sf "http://127.0.0.1:$CSI_CONTROL_PORT/healthz"
  fi
  log "a healthy cluster is already running in $STATE: reusing it"
  print_exports
  exit 0
fi
if [[ -d "$PIDS" ]]; then
  log "stale or partial cluster in $STATE: stopping it first"
  KUBESAFE_CLUSTER_LOCKED=1 bash "$HERE/down.sh" >&2
fi

# Binaries (built once, cached by version outside the repository).
bash "$HERE/build.sh" 9>&- >/dev/null || die "build.sh failed"
eval "$(bash "$HERE/build.sh" --print)" # again: the build may have changed the fake-csi path

for port in $ETCD_CLIENT_PORT $ETCD_PEER_PORT $APISERVER_PORT $KCM_PORT $SCHEDULER_PORT $KWOK_PORT $CSI_CONTROL_PORT; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "port 127.0.0.1:$port is already in use"; fi
done

mkdir -p "$STATE" "$PKI" "$LOGS" "$PIDS" "$STATE/volumes" "$STATE/snapshots"
log "state in $STATE"

# ---- certificates -----------------------------------------------------------------------------
# One CA; EC P-256 keys (fast to make). Client certs: CN = user, O = group.
mkkey() { openssl ecparam -name prime256v1 -genkey -noout -out "$1" 2>/dev/null; }
mkcert() { # name subject extensions
  local name="$1" subj="$2" ext="$3"
  mkkey "$PKI/$name.key"
  openssl req -new -key "$PKI/$name.key" -subj "$subj" 2>/dev/null |
    openssl x509 -req -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
      -days 825 -out "$PKI/$name.crt" -extfile <(printf '%s\n' "$ext") 2>/dev/null
}
client_ext='basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth'
server_ext="basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"

mkkey "$PKI/ca.key"
openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=kubesafe-test-ca" -days 3650 -out "$PKI/ca.crt" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
mkcert apiserver "/CN=kube-apiserver" "$server_ext"
mkcert etcd-server "/CN=etcd" "$server_ext"
mkcert kwok-server "/CN=kwok" "$server_ext"
mkcert apiserver-etcd-client "/CN=kube-apiserver-etcd-client" "$client_ext"
mkcert etcd-client "/CN=kubesafe-etcd-client" "$client_ext"
mkcert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "$client_ext"
mkcert admin "/O=system:masters/CN=kubesafe-admin" "$client_ext"
mkcert restricted "/O=kubesafe:restricted/CN=kubesafe-restricted" "$client_ext"
mkcert controller-manager "/CN=system:kube-controller-manager" "$client_ext"
mkcert scheduler "/CN=system:kube-scheduler" "$client_ext"
# KWOK and the CSI sidecars act for many nodes and kinds: cluster-admin, like kwokctl does.
mkcert kwok "/O=system:masters/CN=kwok-controller" "$client_ext"
mkcert csi "/O=system:masters/CN=kubesafe-csi-controller" "$client_ext"
mkkey "$PKI/sa.key"
openssl ec -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
log "certificates made"

kubeconfig() { # file user cert-name
  local b64="base64 -w0"
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: kubesafe-test
  cluster:
    server: $API
    certificate-authority-data: $($b64 <"$PKI/ca.crt")
users:
- name: $2
  user:
    client-certificate-data: $($b64 <"$PKI/$3.crt")
    client-key-data: $($b64 <"$PKI/$3.key")
contexts:
- name: $2@kubesafe-test
  context:
    cluster: kubesafe-test
    user: $2
    namespace: default
current-context: $2@kubesafe-test
EOF
  chmod 600 "$1"
}
kubeconfig "$STATE/admin.kubeconfig" kubesafe-admin admin
kubeconfig "$STATE/restricted.kubeconfig" kubesafe-restricted restricted
kubeconfig "$PKI/controller-manager.kubeconfig" system:kube-controller-manager controller-manager
kubeconfig "$PKI/scheduler.kubeconfig" system:kube-scheduler scheduler
kubeconfig "$PKI/kwok.kubeconfig" kwok-controller kwok
kubeconfig "$PKI/csi.kubeconfig" kubesafe-csi-controller csi


# 1. etcd 3.6 (TLS with client certificates, like kubeadm's).
start etcd "$ETCD" --name kubesafe-test --data-dir "$STATE/etcd" \
  --listen-client-urls "https://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "https://127.0.0.1:$ETCD_CLIENT_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "kubesafe-test=http://127.0.0.1:$ETCD_PEER_PORT" \
  --cert-file "$PKI/etcd-server.crt" --key-file "$PKI/etcd-server.key" --trusted-ca-file "$PKI/ca.crt" --client-cert-auth \
  --quota-backend-bytes 4294967296 --snapshot-count 10000 --log-level warn
etcd_ok() { "$ETCDCTL" --endpoints "https://127.0.0.1:$ETCD_CLIENT_PORT" --cacert "$PKI/ca.crt" --cert "$PKI/etcd-client.crt" --key "$PKI/etcd-client.key" --command-timeout 1s endpoint health; }
wait_for etcd 20 etcd_ok
log "etcd ready on 127.0.0.1:$ETCD_CLIENT_PORT"

# 2. kube-apiserver.
start kube-apiserver "$KUBE_APISERVER" \
  --etcd-servers "https://127.0.0.1:$ETCD_CLIENT_PORT" --etcd-cafile "$PKI/ca.crt" \
  --etcd-certfile "$PKI/apiserver-etcd-client.crt" --etcd-keyfile "$PKI/apiserver-etcd-client.key" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$APISERVER_PORT" \
  --endpoint-reconciler-type none \
  --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" --client-ca-file "$PKI/ca.crt" \
  --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
  --kubelet-preferred-address-types InternalIP,Hostname \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
  --authorization-mode Node,RBAC --service-cluster-ip-range 10.0.0.0/24 --allow-privileged=true \
  --profiling=false --v=1
api_ready() { curl -sf --max-time 2 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "$API/readyz"; }
deadline=$(( $(date +%s) + 60 ))
until api_ready >/dev/null 2>&1; do
  check_alive kube-apiserver
  (( $(date +%s) < deadline )) || die "kube-apiserver not ready after 60s (log: $LOGS/kube-apiserver.log)"
  sleep 0.3
done
log "kube-apiserver ready on $API"

# 3. Controller-manager and scheduler (they need nothing of what follows).
start kube-controller-manager "$KUBE_CONTROLLER_MANAGER" \
  --kubeconfig "$PKI/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$PKI/controller-manager.kubeconfig" --authorization-kubeconfig "$PKI/controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$KCM_PORT" \
  --authorization-always-allow-paths /healthz,/readyz,/livez,/metrics \
  --leader-elect=false --controllers '*' --use-service-account-credentials=true \
  --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
  --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
  --kube-api-qps 100 --kube-api-burst 200 --profiling=false --v=1
start kube-scheduler "$KUBE_SCHEDULER" \
  --kubeconfig "$PKI/scheduler.kubeconfig" \
  --authentication-kubeconfig "$PKI/scheduler.kubeconfig" --authorization-kubeconfig "$PKI/scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$SCHEDULER_PORT" \
  --authorization-always-allow-paths /healthz,/readyz,/livez,/metrics \
  --leader-elect=false --profiling=false --v=1

# 4. CRDs (snapshots v1, KWOK's Stage and PortForward), then the cluster objects.
k apply --server-side -f "$SNAPSHOT_CRD_DIR" \
  -f "$KWOK_MANIFESTS/crd/kwok.x-k8s.io_stages.yaml" -f "$KWOK_MANIFESTS/crd/kwok.x-k8s.io_portforwards.yaml" \
  -f "$KWOK_MANIFESTS/crd/kwok.x-k8s.io_clusterportforwards.yaml" >/dev/null
k wait --for condition=established --timeout 30s \
  crd/volumesnapshots.snapshot.storage.k8s.io crd/volumesnapshotcontents.snapshot.storage.k8s.io \
  crd/volumesnapshotclasses.snapshot.storage.k8s.io crd/stages.kwok.x-k8s.io crd/portforwards.kwok.x-k8s.io >/dev/null
k apply --server-side -f "$HERE/manifests/cluster.yaml" -f "$HERE/manifests/kwok-stages.yaml" >/dev/null
log "CRDs, RBAC, CSIDriver, classes and KWOK stages applied"

# 5. The nodes (3 zones x 2) and their CSINodes: KWOK has no kubelet to register the driver.
{
  for z in "${ZONES[@]}"; do
    for ((i = 0; i < NODES_PER_ZONE; i++)); do
      n="kwok-$z-$i"
      cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: $n
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    type: kwok
    kubernetes.io/arch: amd64
    kubernetes.io/os: linux
    kubernetes.io/hostname: $n
    topology.kubernetes.io/region: kubesafe-region
    topology.kubernetes.io/zone: $z
    $TOPOLOGY_KEY: $z
status:
  allocatable: {cpu: "32", memory: 128Gi, pods: "110"}
  capacity: {cpu: "32", memory: 128Gi, pods: "110"}
---
apiVersion: storage.k8s.io/v1
kind: CSINode
metadata:
  name: $n
spec:
  drivers:
  - name: $DRIVER
    nodeID: $n
    topologyKeys: [$TOPOLOGY_KEY]
    allocatable: {count: 64}
EOF
    done
  done
} | k apply --server-side -f - >/dev/null

# 6. KWOK: node and pod lifecycles from the Stage objects; PortForward objects for port forwards.
cat >"$STATE/kwok.yaml" <<EOF
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokConfiguration
options: {}
EOF
start kwok "$KWOK" --config "$STATE/kwok.yaml" --kubeconfig "$PKI/kwok.kubeconfig" \
  --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
  --node-ip 127.0.0.1 --node-name localhost --node-port "$KWOK_PORT" --server-address "127.0.0.1:$KWOK_PORT" \
  --tls-cert-file "$PKI/kwok-server.crt" --tls-private-key-file "$PKI/kwok-server.key" \
  --cidr 10.244.0.0/16 --node-lease-duration-seconds 40 --enable-crds Stage,PortForward,ClusterPortForward

# 7. The fake CSI driver, then the sidecars and the snapshot controller.
start_fake_csi
# Client rate limits as the Azure Disk, Azure File and Alibaba Cloud CSI deployments ship them for
# their snapshot-controller, csi-snapshotter and provisioner (README: Sidecars).
SIDECAR_FLAGS=(--kubeconfig "$PKI/csi.kubeconfig" --kube-api-qps 100 --kube-api-burst 200 --leader-election=false --v=2)
supervise snapshot-controller env -u KUBECONFIG "$SNAPSHOT_CONTROLLER" "${SIDECAR_FLAGS[@]}" --worker-threads 50 \
  --retry-interval-start 500ms --retry-interval-max 10s
supervise csi-snapshotter env -u KUBECONFIG "$CSI_SNAPSHOTTER" "${SIDECAR_FLAGS[@]}" --csi-address "$SOCK" \
  --extra-create-metadata --timeout 30s --worker-threads 50 --retry-interval-start 500ms --retry-interval-max 10s
supervise csi-provisioner env -u KUBECONFIG "$CSI_PROVISIONER" "${SIDECAR_FLAGS[@]}" --csi-address "$SOCK" \
  --extra-create-metadata --timeout 30s --worker-threads 100 --retry-interval-start 500ms --retry-interval-max 10s

# 8. Wait: nodes Ready, service accounts made, then the fake etcd pod with its port forward.
NODE_COUNT=$(( ${#ZONES[@]} * NODES_PER_ZONE ))
nodes_ready() {
  [[ $(k get nodes -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c True) -ge $NODE_COUNT ]]
}
wait_for "$NODE_COUNT Ready nodes" 30 nodes_ready
log "nodes Ready"
wait_for "the default service accounts" 30 k -n kube-system get serviceaccount default
wait_for "the default service accounts" 30 k -n default get serviceaccount default
# A fake etcd member as kubeadm would show it (static-pod name, labels, flags). Its port 2379
# forwards (KWOK PortForward) to the cluster's real etcd, so `kubectl port-forward` to it works.
ETCD_NODE="kwok-${ZONES[0]}-0"
cat <<EOF | k apply --server-side -f - >/dev/null
apiVersion: v1
kind: Pod
metadata:
  name: etcd-$ETCD_NODE
  namespace: kube-system
  labels: {component: etcd, tier: control-plane}
  annotations:
    kubeadm.kubernetes.io/etcd.advertise-client-urls: https://127.0.0.1:2379
spec:
  nodeName: $ETCD_NODE
  priorityClassName: system-node-critical
  automountServiceAccountToken: false
  containers:
  - name: etcd
    image: registry.k8s.io/etcd:${ETCD_VERSION#v}-0
    command:
    - etcd
    - --name=kubesafe-test
    - --data-dir=/var/lib/etcd
    - --advertise-client-urls=https://127.0.0.1:2379
    - --listen-client-urls=https://127.0.0.1:2379
    - --cert-file=/etc/kubernetes/pki/etcd/server.crt
    - --key-file=/etc/kubernetes/pki/etcd/server.key
    - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
    - --client-cert-auth=true
    ports:
    - {name: client, containerPort: 2379, protocol: TCP}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: PortForward
metadata:
  name: etcd-$ETCD_NODE
  namespace: kube-system
spec:
  forwards:
  - ports: [2379]
    target: {address: 127.0.0.1, port: $ETCD_CLIENT_PORT}
EOF

for c in "${COMPONENTS[@]}"; do check_alive "$c"; done
wait_for "the CSI control server" 10 curl -sf "http://127.0.0.1:$CSI_CONTROL_PORT/healthz"
etcd_pod_running() { [[ $(k -n kube-system get pod "etcd-$ETCD_NODE" -o jsonpath='{.status.phase}') == Running ]]; }
wait_for "the etcd pod to run" 30 etcd_pod_running

cat >"$STATE/env" <<EOF
# kubesafe test cluster (sourceable). Made by test/cluster/up.sh.
KUBESAFE_CLUSTER_DIR=$STATE
KUBECONFIG_ADMIN=$STATE/admin.kubeconfig
KUBECONFIG_RESTRICTED=$STATE/restricted.kubeconfig
KUBESAFE_APISERVER=$API
APISERVER_PORT=$APISERVER_PORT
ETCD_CLIENT_PORT=$ETCD_CLIENT_PORT
ETCD_PEER_PORT=$ETCD_PEER_PORT
ETCD_ENDPOINT=https://127.0.0.1:$ETCD_CLIENT_PORT
ETCD_CACERT=$PKI/ca.crt
ETCD_CERT=$PKI/etcd-client.crt
ETCD_KEY=$PKI/etcd-client.key
ETCD_POD=kube-system/etcd-$ETCD_NODE
KCM_PORT=$KCM_PORT
SCHEDULER_PORT=$SCHEDULER_PORT
KWOK_PORT=$KWOK_PORT
CSI_CONTROL_PORT=$CSI_CONTROL_PORT
KUBESAFE_CSI_CONTROL_URL=http://127.0.0.1:$CSI_CONTROL_PORT
KUBESAFE_CSI_SOCKET=$SOCK
KUBESAFE_CSI_DRIVER=$DRIVER
KUBESAFE_CSI_TOPOLOGY_KEY=$TOPOLOGY_KEY
KUBESAFE_VOLUMES_DIR=$STATE/volumes
KUBESAFE_SNAPSHOTS_DIR=$STATE/snapshots
KUBECTL=$KUBECTL
ETCD=$ETCD
ETCDCTL=$ETCDCTL
ETCDUTL=$ETCDUTL
ETCD36_DIR=$ETCD36_DIR
KUBERNETES_VERSION=$KUBERNETES_VERSION
ETCD_VERSION=$ETCD_VERSION
EOF
log "cluster ready (Kubernetes $KUBERNETES_VERSION, etcd $ETCD_VERSION, KWOK $KWOK_VERSION); env: $STATE/env"
print_exports
