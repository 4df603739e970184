#!/usr/bin/env bash
# Docker runner overhead: a flow of N sequential tasks each running `true` in a container,
# against the same N plain `docker run --rm IMAGE true`, measured in the same run (best of 3).
# Needs a Docker engine and the test image: run scripts/docker-engine first.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
n="${1:-20}"
image="${SLUICE_BENCH_IMAGE:-sluice-test/busybox:1}"
cargo build --release --quiet --bin sluice
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# shellcheck source=bench/lib.sh
source bench/lib.sh
{
  echo "id: docker-overhead"
  echo "namespace: bench"
  echo "tasks:"
  for i in $(seq 1 "$n"); do
    echo "  - id: t$i"
    echo "    type: io.kestra.plugin.scripts.shell.Commands"
    echo "    containerImage: $image"
    echo "    taskRunner: {type: io.kestra.plugin.scripts.runner.docker.Docker, pullPolicy: NEVER}"
    echo "    commands: [\"true\"]"
  done
} > "$dir/flow.yaml"
plain() { for _ in $(seq 1 "$n"); do docker run --rm "$image" true; done; }
export -f plain; export n image
base=$(best_of 3 bash -c plain)
ours=$(best_of 3 env SLUICE_DATA_DIR="$dir/data" target/release/sluice flow run "$dir/flow.yaml")
echo "tasks: $n"
echo "baseline ($n x docker run --rm): ${base} ms"
echo "sluice flow run (Docker runner): ${ours} ms"
awk -v a="$ours" -v b="$base" -v n="$n" 'BEGIN { printf "ratio: %.2fx the baseline; %.1f ms per task vs %.1f ms\n", a / (b > 0 ? b : 1), a / n, b / n }'
