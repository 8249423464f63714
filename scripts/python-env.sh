#!/usr/bin/env bash
# Creates (once) and updates the project's Python environment in .venv/ (git-ignored): the API
# fuzzer, the Python SDK generator and the Python SDK's test runner, at the versions pinned in
# scripts/python-tools.txt, plus the Python SDK itself (editable) with its dependencies, from PyPI.
# Sourced by the npm scripts that need Python; prints nothing when everything is already in place.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO/.venv"
PY="${PYTHON:-python3}"

if ! command -v "$PY" >/dev/null 2>&1; then
  echo "python-env: $PY not found; install Python >= 3.10 (Debian: apt-get install python3 python3-venv)" >&2
  exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV" || {
    echo "python-env: could not create $VENV (Debian: apt-get install python3-venv)" >&2
    exit 1
  }
fi
# Reinstall only when the pins or the SDK's own metadata changed since the last install.
STAMP="$VENV/.sigil-installed"
WANT="$(cat "$REPO/scripts/python-tools.txt" $([ -f "$REPO/sdks/python/pyproject.toml" ] && echo "$REPO/sdks/python/pyproject.toml") | sha256sum | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REPO/scripts/python-tools.txt"
  if [ -f "$REPO/sdks/python/pyproject.toml" ]; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$REPO/sdks/python"
  fi
  echo "$WANT" > "$STAMP"
fi
