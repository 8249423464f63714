#!/usr/bin/env bash
# npm run sdk:test — each SDK's own checks and live tests, with its own runner (vitest, pytest,
# go test), each against a Sigil-DNA its tests start through test/sdk/serve.ts (the build in
# production mode, a JWKS on loopback, everything on 127.0.0.1). Installs what it needs (the
# Python environment in .venv/, Go modules through the proxy) and fails, never skips, without
# Python or Go.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
step() { printf '\n--> %s\n' "$*"; }

npm run -s build   # serve.ts starts dist/

step "TypeScript SDK: typecheck, build, vitest"
npx --no-install tsc -p sdks/typescript/tsconfig.json --noEmit
npx --no-install tsc -p sdks/typescript/tsconfig.build.json
npx --no-install vitest run --config sdks/typescript/vitest.config.ts

step "Python SDK: ruff, pytest"
bash scripts/python-env.sh
(
  cd sdks/python
  "$REPO/.venv/bin/ruff" check --quiet .
  "$REPO/.venv/bin/ruff" format --check --quiet .
  "$REPO/.venv/bin/pytest" -q -p no:cacheprovider
)

step "Go SDK: gofmt, vet, go test"
command -v go >/dev/null || { echo "sdk-test: go not found (the Go SDK needs Go >= 1.26)" >&2; exit 1; }
(
  cd sdks/go
  unformatted="$(gofmt -l .)"
  [ -z "$unformatted" ] || { echo "sdk-test: gofmt would change: $unformatted" >&2; exit 1; }
  go vet ./...
  go test -count=1 ./...
)
