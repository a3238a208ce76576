#!/usr/bin/env bash
# Fuzzes the API from its own OpenAPI document with schemathesis (PyPI), in a throwaway venv:
# every generated request must get an answer below 500. Loopback only; stops by itself.
#   crates/afterrun-server/bench/schemathesis.sh            # 60 examples per operation
#   SERVE_ARGS=--multi-user crates/afterrun-server/bench/schemathesis.sh   # accounts mode
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
bin="${AFTERRUN_BIN:-$root/target/debug/afterrun}"
examples="${EXAMPLES:-60}"
tmp="$(mktemp -d)"
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q schemathesis
# shellcheck disable=SC2086 # SERVE_ARGS is a list of flags
"$bin" serve --addr 127.0.0.1:0 --db "$tmp/st.db" ${SERVE_ARGS:-} 2> "$tmp/serve.log" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do
  # The whole address with its closing slash, not a half-written line.
  grep -q 'serving on http://[^ ]*/ ' "$tmp/serve.log" && break
  sleep 0.1
done
url="$(grep -o 'http://127.0.0.1:[0-9]*' "$tmp/serve.log" | head -1)"
# Same-origin proof as a browser would send it, so state-changing operations are exercised too.
"$tmp/venv/bin/schemathesis" run "$url/api/openapi.json" --checks not_a_server_error \
  -H "Sec-Fetch-Site: same-origin" --max-examples "$examples"
