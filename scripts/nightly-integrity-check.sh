#!/usr/bin/env bash
# Nightly integrity check: every stored sigil of every tenant against the one integrity rule
# (shape, kid, tenant, digest, HMAC, authHash), with the service's own config (SIGIL_STORAGE,
# SIGIL_DB_PATH / DATABASE_URL, SPIRAL_EVENT_SECRET[_PREVIOUS] or SIGIL_SECRETS_FILE). Usage:
#   scripts/nightly-integrity-check.sh [--json] [--report FILE] [--textfile FILE]
# --textfile writes Prometheus textfile-collector metrics (sigil_integrity_*) atomically.
# Exit 0 all intact, 1 problems found, 2 could not run. LevelDB allows one process: stop the service
# first (or run against Postgres).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
[ -f "$repo/dist/apps/sigil-cli/src/main.js" ] || (cd "$repo" && npm run -s build)
exec "$repo/node_modules/.bin/node" -- "$repo/dist/apps/sigil-cli/src/main.js" integrity-check "$@"
