#!/usr/bin/env bash
# Webhook latency: from a webhook call to the execution created (the call answers once the
# execution and its start event are stored), at a fixed rate of 200 calls per second for 10 s,
# against `GET /health` (no store access) at the same rate, in the same run.
# Usage: bench/webhook.sh [rate] [seconds]
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
rate=${1:-200}
seconds=${2:-10}
cargo build --release --quiet --bin sluice
bin=target/release/sluice
dir=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$dir/flows"
cat > "$dir/flows/hook.yaml" <<'YAML'
id: hook
namespace: bench
tasks:
  - id: say
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.body.n }}"
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: bench-key
YAML
SLUICE_DATA_DIR="$dir/data" "$bin" server local --port "$port" --flows "$dir/flows" > "$dir/server.log" 2>&1 &
pids+=($!)
until curl -sf "http://127.0.0.1:$port/health" > /dev/null; do sleep 0.01; done
sleep 1

python3 - "$port" "$rate" "$seconds" <<'PY'
import http.client, json, sys, threading, time
port, rate, seconds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])

def run(method, path, body):
    """Calls at `rate` per second for `seconds` (open loop: each call has its own start time,
    and its latency counts from then); returns the sorted latencies in ms and the failures."""
    total = rate * seconds
    start = time.perf_counter() + 0.2
    lat, bad, lock, nxt = [], [], threading.Lock(), [0]
    def caller():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                i = nxt[0]; nxt[0] += 1
            if i >= total:
                return
            due = start + i / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            payload = body.replace("N", str(i)) if body else None
            conn.request(method, path, body=payload, headers={"Content-Type": "application/json"})
            resp = conn.getresponse(); resp.read()
            took = (time.perf_counter() - due) * 1000
            with lock:
                lat.append(took)
                if resp.status != 200:
                    bad.append(resp.status)
    threads = [threading.Thread(target=caller) for _ in range(32)]
    for t in threads: t.start()
    for t in threads: t.join()
    lat.sort()
    return lat, bad

def pct(lat, p):
    return lat[min(len(lat) - 1, int(len(lat) * p))]

base, base_bad = run("GET", "/health", None)
hook, hook_bad = run("POST", "/api/v1/executions/webhook/bench/hook/bench-key", '{"n": N}')
assert not base_bad and not hook_bad, (base_bad[:5], hook_bad[:5])
print(f"{rate} calls/s for {seconds} s ({len(hook)} calls each)")
for name, p in (("p50", 0.50), ("p99", 0.99), ("max", 1.0)):
    h, b = pct(hook, p), pct(base, p)
    print(f"  {name}: webhook to execution created {h:6.2f} ms   GET /health {b:6.2f} ms   ({h / b:.1f}x)")
PY
