#!/usr/bin/env bash
# Chaos testing (runbook): kill -9 under a write storm, a second instance on a locked store, a full
# disk, Redis killed, Postgres killed — against the built service, on 127.0.0.1 and temp dirs only.
# Prints PASS/FAIL with numbers per scenario; exits non-zero on any FAIL.
#
#   scripts/chaos-harness.sh [--short] [--only a,c]
#
# --short keeps the whole run under ~90 s (shorter storms), every scenario still real.
# The disk-full scenario mounts a 16 MiB tmpfs and so needs root (CI runs as root); without it that
# scenario FAILs and says why. Postgres and Redis come from scripts/ensure-test-services.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ ! -f "$ROOT/dist/apps/sigil-api/src/main.js" || ! -f "$ROOT/dist/apps/sigil-cli/src/main.js" ]]; then
  echo "chaos-harness.sh: dist/ missing; run npm run build first" >&2
  exit 1
fi
cd "$ROOT"
# The project's own Node 24 (a dev dependency): the harness loads .ts helpers through type stripping.
NODE="$ROOT/node_modules/.bin/node"
[[ -x "$NODE" ]] || NODE=node
exec "$NODE" -- test/chaos/harness.mjs "$@"
