#!/usr/bin/env bash
# Load benchmark of `afterrun serve` (issue 6): the server pinned to core 1, wrk to core 0, on
# loopback only. Needs a release build (`cargo build --release -p afterrun`) and Debian's wrk.
#   crates/afterrun-server/bench/run.sh            # 20 s per endpoint
#   DURATION=5s crates/afterrun-server/bench/run.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
bin="${AFTERRUN_BIN:-$root/target/release/afterrun}"
port="${PORT:-18080}"
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
  awk -v t="$((after - before))" -v hz="$tck" -v n="$requests" \
    'BEGIN { if (n > 0) printf "server CPU per request: %.1f us (capacity on one free core: ~%.0f req/s)\n", t / hz / n * 1e6, n / (t / hz) }'
}
export CHECKIN="$tmp/checkin.json"
measure "POST /api/plan (doms-classic check-in)" -s "$root/crates/afterrun-server/bench/plan.lua" \
  "http://127.0.0.1:$port/api/plan"
measure "GET / (check-in page)" "http://127.0.0.1:$port/"
measure "GET $plan_url (stored plan page)" "$plan_url"
# The status page of the demo athlete (90 days of runs): a report is computed once per store
# revision and minute, then served from the per-process cache; the first, uncached request is
# timed on its own.
curl -s -o /dev/null -w "first (uncached) GET /status: %{time_total} s\n" "http://127.0.0.1:$port/status"
measure "GET /status (demo athlete, 90 days)" "http://127.0.0.1:$port/status"
measure "GET /api/athletes/me/status (JSON)" "http://127.0.0.1:$port/api/athletes/me/status"
