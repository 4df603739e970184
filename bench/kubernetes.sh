#!/usr/bin/env bash
# Kubernetes runner overhead: a flow of N sequential tasks each running `true` in a pod, against
# the same N `kubectl run --rm --attach --restart=Never` of the same image, on the same cluster,
# measured in the same run (best of 3). Needs the cluster of scripts/k8s-cluster (or
# SLUICE_E2E_KUBECONFIG and a kubectl on PATH) and the image sluice-test/busybox:1 on its nodes.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
n="${1:-5}"
image="${SLUICE_BENCH_IMAGE:-sluice-test/busybox:1}"
kubeconfig="${SLUICE_E2E_KUBECONFIG:-$(scripts/k8s-cluster start | tail -n1 | sed 's/^export SLUICE_E2E_KUBECONFIG=//')}"
kubectl=(kubectl)
command -v kubectl >/dev/null 2>&1 || kubectl=(scripts/k8s-cluster kubectl)
cargo build --release --quiet --bin sluice
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# shellcheck source=bench/lib.sh
source bench/lib.sh
{
  echo "id: k8s-overhead"
  echo "namespace: bench"
  echo "tasks:"
  for i in $(seq 1 "$n"); do
    echo "  - id: t$i"
    echo "    type: io.kestra.plugin.scripts.shell.Commands"
    echo "    containerImage: $image"
    echo "    taskRunner: {type: io.kestra.plugin.ee.kubernetes.runner.Kubernetes, namespace: default, pullPolicy: NEVER}"
    echo "    commands: [\"true\"]"
  done
} > "$dir/flow.yaml"
plain() {
  for i in $(seq 1 "$n"); do
    KUBECONFIG="$kubeconfig" $KUBECTL run "bench-plain-$$-$i-$RANDOM" --image="$image" --image-pull-policy=Never \
      --restart=Never --rm --attach --quiet -n default -- true >/dev/null
  done
}
export -f plain; export n image kubeconfig; export KUBECTL="${kubectl[*]}"
base=$(best_of 3 bash -c plain)
ours=$(best_of 3 env KUBECONFIG="$kubeconfig" SLUICE_DATA_DIR="$dir/data" target/release/sluice flow run "$dir/flow.yaml")
echo "tasks: $n"
echo "baseline ($n x kubectl run --rm --attach): ${base} ms"
echo "sluice flow run (Kubernetes runner): ${ours} ms"
awk -v a="$ours" -v b="$base" -v n="$n" 'BEGIN { printf "ratio: %.2fx the baseline; %.1f ms per task vs %.1f ms\n", a / (b > 0 ? b : 1), a / n, b / n }'
