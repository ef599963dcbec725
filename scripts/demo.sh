#!/usr/bin/env bash
# The main job on a local default: a local etcd with sample data on 127.0.0.1, a snapshot of it into
# ./demo-backups with the kubesafe CLI, verified by hashes, read-back and a restore drill; prints the report.
set -euo pipefail
cd "$(dirname "$0")/.."

need_install=()
command -v etcd >/dev/null || need_install+=(etcd-server)
command -v etcdctl >/dev/null || need_install+=(etcd-client)
if [ ${#need_install[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing ${need_install[*]} with apt-get" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_install[@]}" >/dev/null
  else
    echo "missing: ${need_install[*]} (Debian/Ubuntu: sudo apt-get install ${need_install[*]})" >&2
    exit 1
  fi
fi
if [ ! -x node_modules/.bin/node ]; then
  echo "installing npm packages (npm ci), which brings Node 24" >&2
  npm ci --no-audit --no-fund >/dev/null
fi
NODE=node_modules/.bin/node

work=$(mktemp -d)
pid=''
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

ports=$($NODE -e "const n=require('net');const p=[];let k=2;for(let i=0;i<2;i++){const s=n.createServer();s.listen(0,'127.0.0.1',()=>{p.push(s.address().port);s.close();if(--k===0)console.log(p.join(' '))})}")
read -r client peer <<<"$ports"
etcd --name demo --data-dir "$work/data" \
  --listen-client-urls "http://127.0.0.1:$client" --advertise-client-urls "http://127.0.0.1:$client" \
  --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
  --initial-cluster "demo=http://127.0.0.1:$peer" --log-level error >"$work/etcd.log" 2>&1 &
pid=$!
export ETCDCTL_API=3
for _ in $(seq 50); do etcdctl --endpoints "http://127.0.0.1:$client" endpoint health >/dev/null 2>&1 && break; sleep 0.2; done

echo "writing sample Kubernetes-like data into etcd at http://127.0.0.1:$client" >&2
for ns in default kube-system shop; do
  for i in $(seq 1 40); do
    etcdctl --endpoints "http://127.0.0.1:$client" put "/registry/configmaps/$ns/cm-$i" "{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm-$i\",\"namespace\":\"$ns\"},\"data\":{\"n\":\"$i\"}}" >/dev/null
  done
  etcdctl --endpoints "http://127.0.0.1:$client" put "/registry/secrets/$ns/demo-token" '{"kind":"Secret","data":{"token":"ZGVtbw=="}}' >/dev/null
done

mkdir -p demo-backups
$NODE dist/cli/index.js etcd-snapshot \
  --endpoints "http://127.0.0.1:$client" \
  --destination "file://$PWD/demo-backups" \
  --cluster-name demo --labels demo --verify restore
echo "snapshot and manifest are in ./demo-backups/demo/" >&2
