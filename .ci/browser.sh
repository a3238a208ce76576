#!/usr/bin/env bash
# Installs what the browser tests of tests/e2e need on a fresh machine: Debian's chromium
# (never a browser build downloaded by playwright) and the npm packages playwright-core and
# axe-core. Sourced by .ci/run (or run on its own); safe to run again.
set -euo pipefail
_browser_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if ! command -v chromium >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

(
  cd "$_browser_root/tests/e2e"
  # Tell playwright-core never to fetch a browser of its own.
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  if [ -f package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  else
    npm install --no-audit --no-fund --loglevel=error
  fi
)
unset _browser_root
