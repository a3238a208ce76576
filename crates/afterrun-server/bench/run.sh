#!/usr/bin/env bash
# Load benchmark of `afterrun serve` (issues 6 and 18): the server pinned to core 1, wrk to core
# 0, on loopback only. The baseline, measured in the same run on the same core: the no-work
# handler of `examples/nowork.rs` (parse the check-in, answer the same plan bytes, no domain
# work). Needs release builds (`cargo build --release -p afterrun -p afterrun-server --example
# nowork`) and Debian's wrk.
#   crates/afterrun-server/bench/run.sh            # 20 s per endpoint
#   DURATION=5s crates/afterrun-server/bench/run.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
bin="${AFTERRUN_BIN:-$root/target/release/afterrun}"
nowork="${NOWORK_BIN:-$(dirname "$bin")/examples/nowork}"
port="${PORT:-18080}"
base_port="$((port + 1))"
duration="${DURATION:-20s}"
tmp="$(mktemp -d)"
python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["checkin"]))' \
  "$root/../shared/vignettes/doms-classic.json" > "$tmp/checkin.json"

taskset -c 1 "$bin" serve --addr "127.0.0.1:$port" --db "$tmp/bench.db" --demo 2> "$tmp/serve.log" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
# --demo seeds 90 days of runs, check-ins and plans before the server listens.
for _ in $(seq 1200); do
  curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break
  sleep 0.1
done
# One stored plan, for the page benchmark.
plan_url="$(curl -s -o /dev/null -w '%{redirect_url}' -H 'Sec-Fetch-Site: same-origin' \
  --data 'sore_quads_left=6&sore_quads_right=6&eq=foam_roller' "http://127.0.0.1:$port/checkin")"

# The server's CPU time per request, from /proc: a figure that holds even when other work
# shares the machine (requests/s then measure the share the server got, not its capacity).
tck="$(getconf CLK_TCK)"
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
measure() {
  local name="$1"; shift
  echo "== $name"
  local before after out requests
  before="$(cpu)"
  out="$(taskset -c 0 wrk -t1 -c32 -d"$duration" --latency "$@")"
  after="$(cpu)"
  echo "$out"
  requests="$(echo "$out" | awk '/requests in/ {print $1}')"
  last_rps="$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
  awk -v t="$((after - before))" -v hz="$tck" -v n="$requests" \
    'BEGIN { if (n > 0) printf "server CPU per request: %.1f us (capacity on one free core: ~%.0f req/s)\n", t / hz / n * 1e6, n / (t / hz) }'
}
export CHECKIN="$tmp/checkin.json"
# The baseline first, alone on core 1 (the real server idles meanwhile), answering the very
# bytes the real server answers to this check-in.
curl -sf -H 'Content-Type: application/json' -H 'Sec-Fetch-Site: same-origin' \
  --data-binary "@$tmp/checkin.json" "http://127.0.0.1:$port/api/plan" > "$tmp/plan.json"
taskset -c 1 "$nowork" "127.0.0.1:$base_port" "$tmp/plan.json" &
base_pid=$!
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$base_port/" && break
  sleep 0.05
done
pid_real=$pid; pid=$base_pid
measure "baseline: no-work POST /api/plan (parse, answer the same bytes)" \
  -s "$root/crates/afterrun-server/bench/plan.lua" "http://127.0.0.1:$base_port/api/plan"
base_rps="$last_rps"
kill "$base_pid"; wait "$base_pid" 2>/dev/null || true
pid=$pid_real
measure "POST /api/plan (doms-classic check-in)" -s "$root/crates/afterrun-server/bench/plan.lua" \
  "http://127.0.0.1:$port/api/plan"
awk -v a="$last_rps" -v b="$base_rps" 'BEGIN { printf "POST /api/plan at %.1f %% of the no-work limit\n", 100 * a / b }'
measure "GET / (check-in page)" "http://127.0.0.1:$port/"
measure "GET $plan_url (stored plan page)" "$plan_url"
# The status page of the demo athlete (90 days of runs): a report is computed once per store
# revision and minute, then served from the per-process cache; the first, uncached request is
# timed on its own.
curl -s -o /dev/null -w "first (uncached) GET /status: %{time_total} s\n" "http://127.0.0.1:$port/status"
measure "GET /status (demo athlete, 90 days)" "http://127.0.0.1:$port/status"
measure "GET /api/athletes/me/status (JSON)" "http://127.0.0.1:$port/api/athletes/me/status"
