#!/usr/bin/env bash
# Scale-out throughput, in one run on this machine: tasks per second through PostgreSQL with 1, 2
# and 4 `sluice worker` processes (beside one `server standalone --db --workers 0`: API, executor,
# scheduler), against the baseline of one `sluice server local` on SQLite. Same flow everywhere:
# three sequential shell tasks that do nothing (`true`), so what is measured is Sluice's own cost
# per task; SLUICE_BENCH_EXECUTIONS executions (default 1,000) triggered at once through the API,
# timed from the first trigger to the last SUCCESS. Each worker (and the local server) runs 8
# attempts at once. Also prints where the CPU went: the server, the workers (with the tasks they
# ran), and PostgreSQL.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
executions=${SLUICE_BENCH_EXECUTIONS:-1000}
slots=${SLUICE_BENCH_SLOTS:-8}
cargo build --release --quiet --bin sluice
bin=$(realpath "${CARGO_TARGET_DIR:-target}/release/sluice")
admin=$(scripts/postgres 2>/dev/null | tail -n 1 | sed 's/^export SLUICE_TEST_DATABASE_URL=//')
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
dir=$(mktemp -d)
pids=()
databases=()
psql_admin() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 "$admin" -c "$1" > /dev/null; }
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2> /dev/null || true; done
  for d in "${databases[@]}"; do psql_admin "DROP DATABASE IF EXISTS $d WITH (FORCE)" || true; done
  rm -rf "$dir"
}
trap cleanup EXIT
tick=$(getconf CLK_TCK)

# CPU seconds a process and its reaped children used so far (utime, stime, cutime, cstime).
cpu_of() { awk -v t="$tick" '{ printf "%.2f", ($14 + $15 + $16 + $17) / t }' "/proc/$1/stat" 2> /dev/null || echo 0; }
# CPU seconds of every PostgreSQL process so far.
pg_cpu() {
  local total=0 p
  for p in $(pgrep -x postgres || true); do total=$(awk -v a="$total" -v b="$(cpu_of "$p")" 'BEGIN { print a + b }'); done
  echo "$total"
}
add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + b }'; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }

# Starts `sluice "$@"` in the background with its own data folder; sets $started to its pid and
# waits for the first line it prints on stdout.
start() {
  local name=$1
  shift
  SLUICE_DATA_DIR="$dir/$name" "$bin" "$@" > "$dir/$name.out" 2> "$dir/$name.err" &
  started=$!
  pids+=("$started")
  for _ in $(seq 1 600); do
    [ -s "$dir/$name.out" ] && return 0
    kill -0 "$started" 2> /dev/null || { cat "$dir/$name.err" >&2; exit 1; }
    sleep 0.05
  done
  echo "$name did not start" >&2
  exit 1
}
base_of() { sed -n 's|.*http://\([^/]*\)/.*|\1|p' "$dir/$1.out" | head -n 1; }

printf 'id: scale\nnamespace: bench\ntasks:\n' > "$dir/flow.yaml"
for t in t1 t2 t3; do
  printf '  - {id: %s, type: io.kestra.plugin.scripts.shell.Commands, taskRunner: {type: io.kestra.plugin.core.runner.Process}, commands: ["true"]}\n' "$t" >> "$dir/flow.yaml"
done

# Triggers the executions through the API of the server at $1 (8 keep-alive connections from one
# process, so the trigger costs little CPU), waits until all succeeded, and prints the seconds from
# the first trigger to the last success.
run_executions() {
  curl -sf -X POST "http://$1/api/v1/flows" -H 'Content-Type: application/x-yaml' --data-binary @"$dir/flow.yaml" > /dev/null
  python3 - "$1" "$executions" << 'PY'
import http.client, json, sys, threading, time
base, n = sys.argv[1], int(sys.argv[2])
host, port = base.split(":")
def conn():
    return http.client.HTTPConnection(host, int(port), timeout=30)
left = [n]
lock = threading.Lock()
def trigger():
    c = conn()
    while True:
        with lock:
            if left[0] == 0:
                return
            left[0] -= 1
        c.request("POST", "/api/v1/executions/bench/scale")
        r = c.getresponse()
        r.read()
        if r.status != 200:
            sys.exit(f"trigger failed: {r.status}")
def total(c, state):
    c.request("GET", f"/api/v1/executions/search?namespace=bench&flowId=scale&state={state}&size=1")
    r = c.getresponse()
    return json.loads(r.read())["total"]
t0 = time.monotonic()
threads = [threading.Thread(target=trigger) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
triggered = time.monotonic() - t0
c = conn()
while total(c, "SUCCESS") < n:
    if total(c, "FAILED"):
        sys.exit("an execution FAILED")
    time.sleep(0.1)
print(f"{time.monotonic() - t0:.2f} {triggered:.2f}")
PY
}

rows=()
# One setup: $1 label; $2 "sqlite" or a number of workers.
measure() {
  local label=$1 workers=$2 server_pid worker_pids=() base secs pg0 pg1 server_cpu worker_cpu=0 p
  if [ "$workers" = sqlite ]; then
    start local-sqlite server local --port 0 --slots "$slots"
    server_pid=$started
    base=$(base_of local-sqlite)
  else
    local db="bench_scale_${workers}_$$"
    databases+=("$db")
    psql_admin "CREATE DATABASE $db"
    local url="${admin%/*}/$db"
    start "server-$workers" server standalone --port 0 --workers 0 --db "$url"
    server_pid=$started
    base=$(base_of "server-$workers")
    for i in $(seq 1 "$workers"); do
      start "worker-$workers-$i" worker --db "$url" --slots "$slots"
      worker_pids+=("$started")
    done
  fi
  pg0=$(pg_cpu)
  local s0 w0=0
  s0=$(cpu_of "$server_pid")
  for p in "${worker_pids[@]}"; do w0=$(add "$w0" "$(cpu_of "$p")"); done
  read -r secs triggered <<< "$(run_executions "$base")"
  pg1=$(pg_cpu)
  server_cpu=$(sub "$(cpu_of "$server_pid")" "$s0")
  for p in "${worker_pids[@]}"; do worker_cpu=$(add "$worker_cpu" "$(cpu_of "$p")"); done
  worker_cpu=$(sub "$worker_cpu" "$w0")
  for p in "$server_pid" "${worker_pids[@]}"; do kill "$p" 2> /dev/null || true; wait "$p" 2> /dev/null || true; done
  rows+=("$label|$secs|$triggered|$server_cpu|$worker_cpu|$(sub "$pg1" "$pg0")")
}

measure "server local, SQLite" sqlite
measure "PostgreSQL, 1 worker" 1
measure "PostgreSQL, 2 workers" 2
measure "PostgreSQL, 4 workers" 4

tasks=$(( executions * 3 ))
echo "$executions executions x 3 sequential \`true\` tasks = $tasks tasks, $slots slots per worker, $(nproc) CPU cores"
printf '%-24s %8s %10s %8s %10s   %s\n' setup seconds triggered tasks/s "vs SQLite" "CPU seconds: server / workers with their tasks / PostgreSQL"
baseline=
for row in "${rows[@]}"; do
  IFS='|' read -r label secs triggered server_cpu worker_cpu pg <<< "$row"
  rate=$(awk -v t="$tasks" -v s="$secs" 'BEGIN { printf "%.0f", t / s }')
  [ -n "$baseline" ] || baseline=$rate
  printf '%-24s %8s %9ss %8s %9.2fx   %s / %s / %s\n' "$label" "$secs" "$triggered" "$rate" \
    "$(awk -v r="$rate" -v b="$baseline" 'BEGIN { print r / b }')" "$server_cpu" "$worker_cpu" "$pg"
done
