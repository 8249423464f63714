#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh or POST /api/v1/admin/backups into the configured
# store (SIGIL_DB_PATH or DATABASE_URL), or --to; a thin wrapper over `sigil restore`.
#
#   scripts/restore.sh --from /var/backups/sigil/20250115T100000 [--to PATH|URL] [--force] [--json]
#
# Refuses a non-empty target (exit 2) unless --force, and a LevelDB target a running service holds.
# Afterwards every restored record goes through the integrity check: exit 1 if any fails, 0 if intact.
# Run it with the same SPIRAL_EVENT_SECRET(_PREVIOUS) as the service, or signatures cannot be checked.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
[ -f "$repo/dist/apps/sigil-cli/src/main.js" ] || (cd "$repo" && npm run -s build)
exec "$repo/node_modules/.bin/node" -- "$repo/dist/apps/sigil-cli/src/main.js" restore "$@"
