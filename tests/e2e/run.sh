#!/usr/bin/env bash
# The browser tests in one command (for `cargo xtask test`): builds the binary unless
# AFTERRUN_BIN names one, installs chromium and the npm packages if missing (.ci/browser.sh),
# then runs `node --test tests/e2e/`. Screenshots land in tests/e2e/screenshots/.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
if [ -z "${AFTERRUN_BIN:-}" ]; then
  cargo build -p afterrun --manifest-path "$root/Cargo.toml"
  export AFTERRUN_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/afterrun"
fi
if [ ! -x /usr/bin/chromium ] || [ ! -d "$root/tests/e2e/node_modules/playwright-core" ] \
  || [ ! -d "$root/tests/e2e/node_modules/axe-core" ]; then
  # shellcheck source=/dev/null
  source "$root/.ci/browser.sh"
fi
cd "$root"
node --test tests/e2e/
