#!/usr/bin/env bash
# Drives the built service with vegeta at a constant, open-loop rate (test/soak/soak.mjs):
#
#   scripts/soak.sh [soak] [--duration 3m] [--rate 300] …   a constant MIXED rate (encode, verify, decode,
#                                                           list, match); fails on any unexpected answer,
#                                                           a p99 over budget or RSS growth over its bound
#   scripts/soak.sh rate [--rate 1000] [--duration 30s] …   the open-loop latency benchmark: verify, then
#                                                           encode, each alone at a constant rate; reports
#                                                           p50/p95/p99 against the 25 ms goal
#   scripts/soak.sh vegeta ARGS…                            the pinned vegeta
#
# `npm run test:soak` is the first (CI's bounded soak), `npm run bench:rate` the second; the longer soak
# for users is the first with a flag: `npm run test:soak -- --duration 2h --rate 1000`. Every knob is in
# `scripts/soak.sh soak --help`. Results go to bench-results/ (git-ignored).
#
# vegeta is pinned and built from the Go module proxy (go install, into .tools/bin) when it is missing
# or another version. A tool it cannot install is an error, never a skip, in CI (CI=true) and
# everywhere else. Everything listens on and sends to 127.0.0.1.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS="$REPO/.tools"
BIN="$TOOLS/bin"

VEGETA_MODULE=github.com/tsenart/vegeta/v12
VEGETA_VERSION=v12.13.0

say() { printf 'soak: %s\n' "$*" >&2; }
die() {
  say "$*"
  exit 1
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# The same convention as scripts/chart.sh: a Go tool is current when its build info names the pinned
# module version (go version -m), so a stale or foreign binary in .tools/bin is rebuilt, not trusted.
vegeta_current() {
  [ -x "$BIN/vegeta" ] && go version -m "$BIN/vegeta" 2>/dev/null |
    awk -v m="$VEGETA_MODULE" -v v="$VEGETA_VERSION" '$1 == "mod" && $2 == m && $3 == v { ok = 1 } END { exit !ok }'
}

ensure_vegeta() {
  if vegeta_current; then
    VEGETA="$BIN/vegeta"
    return
  fi
  command -v go >/dev/null 2>&1 || die "go is not installed: it builds vegeta ($VEGETA_MODULE@$VEGETA_VERSION)"
  mkdir -p "$BIN"
  local started
  started="$(now)"
  GOBIN="$BIN" GOFLAGS=-buildvcs=false nice go install "$VEGETA_MODULE@$VEGETA_VERSION" ||
    die "could not build $VEGETA_MODULE@$VEGETA_VERSION"
  vegeta_current || die "$BIN/vegeta is not $VEGETA_MODULE $VEGETA_VERSION"
  say "built vegeta $VEGETA_VERSION in $(since "$started") s"
  VEGETA="$BIN/vegeta"
}

# soak.mjs imports test/support/*.ts (the JWKS server), which needs Node 24's type stripping: the
# pinned Node from node_modules, whatever node is first on PATH.
run_soak() { # mode args…
  ensure_vegeta
  (cd "$REPO" && npm run -s build)
  local node="$REPO/node_modules/.bin/node"
  [ -x "$node" ] || node=node
  exec "$node" "$REPO/test/soak/soak.mjs" --vegeta "$VEGETA" "$@"
}

case "${1:-soak}" in
  soak | rate)
    mode="${1:-soak}"
    [ "$#" -gt 0 ] && shift
    run_soak --mode "$mode" "$@"
    ;;
  --*) run_soak --mode soak "$@" ;;
  vegeta)
    shift
    ensure_vegeta
    exec "$VEGETA" "$@"
    ;;
  *)
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
