#!/usr/bin/env bash
# Times `sluice flow validate` on a folder of 1,000 flows against a baseline measured in the same
# run: reading the same files with `cat`, the I/O floor. Prints both, best of 5, and their ratio.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
n="${1:-1000}"
cargo build --release --quiet --bin sluice
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# shellcheck source=bench/lib.sh
source bench/lib.sh
sources=(crates/flow/tests/valid/*.yaml)
for i in $(seq 1 "$n"); do
  src=${sources[$((i % ${#sources[@]}))]}
  sed "0,/^id: .*/s//id: flow-$i/" "$src" > "$dir/flow-$i.yaml"
done
base=$(best_of 5 sh -c "cat '$dir'/*.yaml")
ours=$(best_of 5 target/release/sluice flow validate "$dir")
bytes=$(cat "$dir"/*.yaml | wc -c)
echo "flows: $n ($bytes bytes)"
echo "baseline (cat):       ${base} ms"
echo "sluice flow validate: ${ours} ms"
awk -v a="$ours" -v b="$base" -v n="$n" 'BEGIN { printf "ratio: %.1fx the baseline; %.3f ms per flow\n", (b > 0 ? a / b : a), a / n }'
