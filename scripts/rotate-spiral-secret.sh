#!/usr/bin/env bash
# Rotates SPIRAL_EVENT_SECRET without downtime: a new 32-byte secret becomes active and the old one
# moves to the front of SPIRAL_EVENT_SECRET_PREVIOUS (sigils signed with it keep verifying). Usage:
#   scripts/rotate-spiral-secret.sh [--env-file FILE] [--pid PID]      # default FILE: $SIGIL_SECRETS_FILE
#   scripts/rotate-spiral-secret.sh --k8s-secret NAME [--namespace NS] [--deployment NAME]
#   scripts/rotate-spiral-secret.sh --k8s-secret NAME --k8s-key secrets.env [--namespace NS]   # the Helm chart's Secret
#   scripts/rotate-spiral-secret.sh --verify-only [--env-file FILE | --k8s-secret NAME]
# With --pid the service (started with SIGIL_SECRETS_FILE=FILE) gets SIGHUP and reloads in place.
# Prints key ids, never a secret. --verify-only: every stored sigil and a freshly signed one pass
# under the current ring (exit 0), else 1; 2 = usage/config error.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
[ -f "$repo/dist/apps/sigil-cli/src/main.js" ] || (cd "$repo" && npm run -s build)
exec "$repo/node_modules/.bin/node" -- "$repo/dist/apps/sigil-cli/src/main.js" rotate-secret "$@"
