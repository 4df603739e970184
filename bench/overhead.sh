#!/usr/bin/env bash
# Orchestration overhead: a flow of N sequential `shell.Commands` tasks each running `true`,
# against the same N commands run by a plain shell loop, measured in the same run.
# Prints both, the ratio, and the milliseconds of overhead per task. Best of 5 runs each.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
n="${1:-100}"
cargo build --release --quiet --bin sluice
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# shellcheck source=bench/lib.sh
source bench/lib.sh
{
  echo "id: overhead"
  echo "namespace: bench"
  echo "tasks:"
  for i in $(seq 1 "$n"); do
    echo "  - {id: t$i, type: io.kestra.plugin.scripts.shell.Commands, commands: [\"true\"]}"
  done
} > "$dir/flow.yaml"
loop() { for _ in $(seq 1 "$n"); do /bin/sh -c "set -e
true"; done; }
export -f loop; export n
base=$(best_of 5 bash -c loop)
ours=$(best_of 5 env SLUICE_DATA_DIR="$dir/data" target/release/sluice flow run "$dir/flow.yaml")
echo "tasks: $n"
echo "baseline (shell loop): ${base} ms"
echo "sluice flow run:       ${ours} ms"
awk -v a="$ours" -v b="$base" -v n="$n" 'BEGIN { printf "ratio: %.1fx the baseline; overhead %.2f ms per task\n", a / (b > 0 ? b : 1), (a - b) / n }'
