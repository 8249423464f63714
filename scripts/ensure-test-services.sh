#!/usr/bin/env bash
# Installs the real services the test suites start for themselves (they never use a system instance).
# Idempotent: does nothing when everything is already there. Debian/Ubuntu (apt-get) only.
# Installing never starts anything for the tests; if a package starts its own system service, it is left alone.
set -euo pipefail

APT_UPDATED=0
DID=()

is_root() { [ "$(id -u)" -eq 0 ]; }

# Installs Debian packages; refreshes the package index only if installing without it fails.
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1; then
    if [ "$APT_UPDATED" -eq 0 ]; then
      apt-get update >/dev/null
      APT_UPDATED=1
    fi
    apt-get install -y --no-install-recommends "$@" >/dev/null
  fi
}

# Reports a missing tool: installs it as root, otherwise says what to install and fails.
require_package() {
  local what="$1" package="$2"
  if ! is_root; then
    echo "ensure-test-services: $what is missing; install the Debian package '$package' (sudo apt-get install -y $package) or re-run this script as root" >&2
    exit 1
  fi
  apt_install "$package"
  DID+=("installed $package")
}

# --- Redis: rate-limit storage tests (test/support/redis-server.ts runs redis-server itself) -------------
ensure_redis() {
  if command -v redis-server >/dev/null 2>&1; then
    DID+=("redis-server present")
    return
  fi
  require_package "redis-server" redis-server
  command -v redis-server >/dev/null 2>&1 || { echo "ensure-test-services: redis-server still not on PATH" >&2; exit 1; }
}

# --- Chromium: the Swagger UI test loads /docs in a real browser under the service's CSP -----------------
ensure_chromium() {
  if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ]; then
    DID+=("chromium at $CHROMIUM_PATH")
    return
  fi
  if [ -x /usr/bin/chromium ]; then
    DID+=("chromium present")
    return
  fi
  require_package "Chromium" chromium
}

# --- PostgreSQL: storage tests (test/support/postgres-server.ts runs initdb/postgres itself, in a temp dir) ---
# Debian does not put the server binaries on PATH; the tests take the newest /usr/lib/postgresql/<ver>/bin.
# Installing may create and start the system cluster (as Debian's postinst does); it is left alone and the
# tests never use it.
has_postgres() { compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; }

ensure_postgres() {
  if has_postgres; then
    DID+=("postgresql present")
    return
  fi
  require_package "PostgreSQL (server binaries under /usr/lib/postgresql)" postgresql
  has_postgres || { echo "ensure-test-services: still no /usr/lib/postgresql/*/bin/postgres after installing postgresql" >&2; exit 1; }
}

# --- promtool: the monitoring tests check the alert rules (and their unit tests), the example scrape config
# and a live /metrics with it. Debian's "prometheus" package provides /usr/bin/promtool; installing it may
# also enable the system Prometheus service, which is left alone (the tests only run promtool).
ensure_promtool() {
  if [ -n "${PROMTOOL:-}" ] && [ -x "$PROMTOOL" ]; then
    DID+=("promtool at $PROMTOOL")
    return
  fi
  if command -v promtool >/dev/null 2>&1; then
    DID+=("promtool present")
    return
  fi
  require_package "promtool (Prometheus rule and metrics checker)" prometheus
  command -v promtool >/dev/null 2>&1 || { echo "ensure-test-services: promtool still not on PATH after installing prometheus" >&2; exit 1; }
}

ensure_redis
ensure_chromium
ensure_postgres
ensure_promtool

echo "ensure-test-services: $(IFS=','; echo "${DID[*]}" | sed 's/,/, /g')"
