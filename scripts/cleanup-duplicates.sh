#!/usr/bin/env bash
# Per tenant, finds sigils with the same data digest, keeps the oldest unrevoked one and revokes the
# rest (reason "duplicate", revokedBy "cleanup-duplicates"). Dry run unless --execute. Uses the
# service's store (SIGIL_STORAGE / SIGIL_DB_PATH / DATABASE_URL); stop the service first on LevelDB.
#   scripts/cleanup-duplicates.sh [--execute] [--purge] [--json]
# --purge (with --execute) deletes the duplicates instead. Idempotent: a second run has nothing to do.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
[ -f "$repo/dist/apps/sigil-cli/src/main.js" ] || (cd "$repo" && npm run -s build)
exec "$repo/node_modules/.bin/node" -- "$repo/dist/apps/sigil-cli/src/main.js" cleanup-duplicates "$@"
