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
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break
  sleep 0.1
done
# One stored plan, for the page benchmark.
plan_url="$(curl -s -o /dev/null -w '%{redirect_url}' -H 'Sec-Fetch-Site: same-origin' \
  --data 'sore_quads_left=6&sore_quads_right=6&eq=foam_roller' "http://127.0.0.1:$port/checkin")"

echo "== POST /api/plan (doms-classic check-in)"
CHECKIN="$tmp/checkin.json" taskset -c 0 wrk -t1 -c32 -d"$duration" --latency \
  -s "$root/crates/afterrun-server/bench/plan.lua" "http://127.0.0.1:$port/api/plan"
echo "== GET / (check-in page)"
taskset -c 0 wrk -t1 -c32 -d"$duration" --latency "http://127.0.0.1:$port/"
echo "== GET $plan_url (stored plan page)"
taskset -c 0 wrk -t1 -c32 -d"$duration" --latency "$plan_url"
