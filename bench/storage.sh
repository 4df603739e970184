#!/usr/bin/env bash
# Internal storage throughput: a FILE input of N MiB (default 1024) uploaded through the API
# (streamed into storage) and downloaded back, on the data folder and on an S3-compatible server
# (moto, scripts/s3-server), against `cp` of the same file in the same run. Prints MiB/s, the
# ratio to cp, and the server's peak resident memory (streaming keeps it far below the file).
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
mib="${1:-1024}"
cargo build --release --quiet --bin sluice
bin=target/release/sluice
dir=$(mktemp -d -p "${TMPDIR:-/tmp}")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT
# shellcheck source=bench/lib.sh
source bench/lib.sh
eval "$(scripts/s3-server)"

head -c "$((mib * 1024 * 1024))" /dev/urandom > "$dir/big.bin"
cp_ms=$(best_of 3 cp "$dir/big.bin" "$dir/copy.bin")
rm -f "$dir/copy.bin"
rate() { awk -v m="$mib" -v t="$1" 'BEGIN { printf "%.0f", m / (t > 0 ? t / 1000 : 0.001) }'; }
echo "file: $mib MiB; baseline cp: ${cp_ms} ms ($(rate "$cp_ms") MiB/s)"

printf 'id: upload\nnamespace: bench\ninputs:\n  - {id: data, type: FILE}\ntasks:\n  - {id: noted, type: io.kestra.plugin.core.log.Log, message: "{{ inputs.data }}"}\n' > "$dir/flow.yaml"
for backend in local s3; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  base="http://127.0.0.1:$port"
  storage=local
  [ "$backend" = s3 ] && storage="${SLUICE_TEST_S3%%\?*}/bench-$$?${SLUICE_TEST_S3#*\?}"
  SLUICE_DATA_DIR="$dir/data-$backend" SLUICE_STORAGE="$storage" AWS_ACCESS_KEY_ID=sluice AWS_SECRET_ACCESS_KEY=sluice-s3cret \
    "$bin" server local --port "$port" > "$dir/server-$backend.log" 2>&1 &
  pids+=($!); server=$!
  until curl -sf "$base/api/v1/flows/search" > /dev/null; do sleep 0.05; done
  curl -sf -X POST "$base/api/v1/flows" -H 'Content-Type: application/x-yaml' --data-binary @"$dir/flow.yaml" > /dev/null
  t0=$(date +%s%N)
  id=$(curl -sf -X POST "$base/api/v1/executions/bench/upload" -F "data=@$dir/big.bin" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  up_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  uri=$(curl -sf "$base/api/v1/executions/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["inputs"]["data"])')
  t0=$(date +%s%N)
  curl -sf -G "$base/api/v1/executions/$id/file" --data-urlencode "path=$uri" -o "$dir/down.bin"
  down_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  cmp -s "$dir/big.bin" "$dir/down.bin" || { echo "$backend: the downloaded file differs from the upload" >&2; exit 1; }
  rm -f "$dir/down.bin"
  peak=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$server/status")
  printf '%-5s upload %6d ms (%4d MiB/s, %.1fx cp)   download %6d ms (%4d MiB/s, %.1fx cp)   server peak RSS %d MiB\n' \
    "$backend" "$up_ms" "$(rate "$up_ms")" "$(awk -v a="$up_ms" -v b="$cp_ms" 'BEGIN { print a / (b > 0 ? b : 1) }')" \
    "$down_ms" "$(rate "$down_ms")" "$(awk -v a="$down_ms" -v b="$cp_ms" 'BEGIN { print a / (b > 0 ? b : 1) }')" "$peak"
  kill "$server"; wait "$server" 2>/dev/null || true
done
