#!/usr/bin/env bash
# Consistent backup of the Sigil-DNA store (replaces the runbook's `tar czf … ./sigil-leveldb/`,
# which can tear an open LevelDB). A thin wrapper over `sigil backup`; same environment as the
# service (SIGIL_DB_PATH / DATABASE_URL, SPIRAL_EVENT_SECRET …).
#
#   scripts/backup.sh --to /var/backups/sigil/$(date +%Y%m%dT%H%M%S) [--json]
#
# LevelDB, service stopped: the CLI opens the store and copies it through one snapshot.
# LevelDB, service running: the store's LOCK belongs to the service, so ask it instead:
#   curl -X POST -H "authorization: Bearer $ADMIN_TOKEN" http://127.0.0.1:3000/api/v1/admin/backups
#   (scope sigil:admin; the backup is written under the service's SIGIL_BACKUP_DIR)
# Postgres: pg_dump -Fc into <dir>/sigil.pgdump (safe while the service runs).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
[ -f "$repo/dist/apps/sigil-cli/src/main.js" ] || (cd "$repo" && npm run -s build)
exec "$repo/node_modules/.bin/node" -- "$repo/dist/apps/sigil-cli/src/main.js" backup "$@"
