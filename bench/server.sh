#!/usr/bin/env bash
# Server figures, each beside a baseline measured in the same run:
# - start-up time to the first API answer, against starting the same binary for `--version`;
# - idle resident memory, against an idle `python3 -m http.server`;
# - API and UI latency on an execution with 1,000,000 log lines, against a trivial API call.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin sluice
bin=target/release/sluice
dir=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

t0=$(date +%s%N); "$bin" --version > /dev/null; version_ms=$(ms_since "$t0")
t0=$(date +%s%N)
SLUICE_DATA_DIR="$dir/data" "$bin" server local --port "$port" > "$dir/server.log" 2>&1 &
pids+=($!); server=$!
until curl -sf "$base/api/v1/flows/search" > /dev/null; do sleep 0.005; done
startup_ms=$(ms_since "$t0")
sleep 2
server_rss=$(rss_kb "$server")
python3 -m http.server 0 --bind 127.0.0.1 > /dev/null 2>&1 &
pids+=($!); sleep 1
python_rss=$(rss_kb "$!")

printf 'id: noisy\nnamespace: bench\ntasks:\n  - {id: noisy, type: shell.Commands, commands: ["seq 1 1000000"]}\n' > "$dir/noisy.yaml"
curl -sf -X POST "$base/api/v1/flows" -H 'Content-Type: application/x-yaml' --data-binary @"$dir/noisy.yaml" > /dev/null
id=$(curl -sf -X POST "$base/api/v1/executions/bench/noisy" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
until curl -sf "$base/api/v1/executions/$id" | grep -q '"current":"SUCCESS"'; do sleep 0.2; done

best_ms() { # best of 5 total times of GET $1, in ms
  local b=999999 t
  for _ in 1 2 3 4 5; do
    t=$(curl -sf -o /dev/null -w '%{time_total}' "$base$1")
    t=$(awk -v t="$t" 'BEGIN { printf "%d", t * 1000 + 0.5 }')
    (( t < b )) && b=$t
  done
  echo "$b"
}
trivial=$(best_ms "/api/v1/flows/search")
echo "start-up to first API answer: ${startup_ms} ms (baseline: \`sluice --version\` ${version_ms} ms)"
echo "idle resident memory: $((server_rss / 1024)) MiB (baseline: idle python3 -m http.server $((python_rss / 1024)) MiB)"
echo "execution with 1,000,000 log lines; baseline GET /api/v1/flows/search: ${trivial} ms"
for path in "/api/v1/executions/$id" "/api/v1/logs/$id?size=1000" "/api/v1/logs/$id?afterSeq=999000&size=1000" "/api/v1/logs/$id?minLevel=ERROR" "/ui/executions/$id"; do
  t=$(best_ms "$path")
  awk -v p="$path" -v t="$t" -v b="$trivial" 'BEGIN { printf "  GET %-48s %4d ms  (%.1fx baseline)\n", p, t, (b > 0 ? t / b : t) }'
done
