#!/usr/bin/env bash
# npm run api:fuzz — schemathesis against a live service: every operation of openapi.json, positive
# and negative data, the stateful phase over the document's links, every check, a fixed seed and a
# bounded number of examples (test/fuzz/schemathesis.toml). The service is the build in production
# mode on LevelDB, trusting a JWKS on loopback, limits raised (test/sdk/serve.ts); all on 127.0.0.1.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
bash scripts/python-env.sh
npm run -s build

# serve.ts needs Node 24 (type stripping): the pinned one, whatever node is first on PATH.
NODE="$REPO/node_modules/.bin/node"
[ -x "$NODE" ] || NODE=node
INFO="$(mktemp)"
"$NODE" test/sdk/serve.ts > "$INFO" &
SERVE=$!
trap 'kill "$SERVE" 2>/dev/null || true; wait "$SERVE" 2>/dev/null || true; rm -f "$INFO"' EXIT
for _ in $(seq 1 300); do
  [ -s "$INFO" ] && break
  kill -0 "$SERVE" 2>/dev/null || { echo "api-fuzz: serve.ts exited before it was ready" >&2; exit 1; }
  sleep 0.1
done
[ -s "$INFO" ] || { echo "api-fuzz: serve.ts did not report in 30 s" >&2; exit 1; }
URL="$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).url' "$INFO")"
TOKEN="$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).tokens.admin' "$INFO")"

cd test/fuzz   # schemathesis reads ./schemathesis.toml
"$REPO/.venv/bin/st" run "$REPO/openapi.json" \
  --url "$URL" \
  -H "Authorization: Bearer $TOKEN" \
  --checks all \
  --no-color \
  --report junit --report-dir "$REPO/.tmp/schemathesis" \
  "$@"
