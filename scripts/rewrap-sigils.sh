#!/usr/bin/env bash
# Re-signs every sigil still signed under an older secret with the active one (SPIRAL_EVENT_SECRET),
# so that older secret can then be dropped from SPIRAL_EVENT_SECRET_PREVIOUS. Uses the service's own
# configuration (SIGIL_STORAGE, SIGIL_DB_PATH / DATABASE_URL, the secrets); on LevelDB stop the service
# first (its LOCK allows one process). Resumable: run it again after an interruption. Usage:
#   scripts/rewrap-sigils.sh [--from-kid KID] [--dry-run] [--json]
# Exit 0 when nothing was skipped; 1 when a sigil failed its integrity check or has an unknown kid.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
[ -f "$repo/dist/apps/sigil-cli/src/main.js" ] || (cd "$repo" && npm run -s build)
exec "$repo/node_modules/.bin/node" -- "$repo/dist/apps/sigil-cli/src/main.js" rewrap "$@"
