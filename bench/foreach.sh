#!/usr/bin/env bash
# ForEach's cost: a ForEach over N values of one Log task, against a flat flow of N Log tasks
# (the same number of task runs, no loop), both run by `sluice flow run` on SQLite in the same
# run. Prints both, the ratio, and the milliseconds per value. Best of 3 runs each.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
n="${1:-1000}"
cargo build --release --quiet --bin sluice
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# shellcheck source=bench/lib.sh
source bench/lib.sh
{
  echo "id: flat"
  echo "namespace: bench"
  echo "tasks:"
  for i in $(seq 1 "$n"); do
    echo "  - {id: t$i, type: io.kestra.plugin.core.log.Log, message: \"value $i\"}"
  done
} > "$dir/flat.yaml"
{
  echo "id: loop"
  echo "namespace: bench"
  echo "tasks:"
  echo "  - id: each"
  echo "    type: io.kestra.plugin.core.flow.ForEach"
  echo "    values: \"{{ range(1, $n) | toJson }}\""
  echo "    tasks:"
  echo "      - {id: log, type: io.kestra.plugin.core.log.Log, message: \"value {{ taskrun.value }}\"}"
} > "$dir/loop.yaml"
run() { rm -rf "$dir/data"; SLUICE_DATA_DIR="$dir/data" target/release/sluice flow run "$1"; }
export -f run; export dir
base=$(best_of 3 bash -c 'run "$dir/flat.yaml"')
ours=$(best_of 3 bash -c 'run "$dir/loop.yaml"')
echo "values: $n"
echo "baseline (flat flow of $n Log tasks): ${base} ms"
echo "ForEach over $n values of a Log task: ${ours} ms"
awk -v a="$ours" -v b="$base" -v n="$n" 'BEGIN { printf "ratio: %.2fx the baseline; %.2f ms per value\n", a / (b > 0 ? b : 1), a / n }'
