#!/usr/bin/env bash
# Lints, validates and tests the Helm chart (helm/sigil-dna) the way CI does, with no cluster:
#
#   scripts/chart.sh tools       install the pinned tools into .tools/ (idempotent) and print their paths
#   scripts/chart.sh lint        helm lint --strict with every example values file
#   scripts/chart.sh validate    helm template every example | kubeconform -strict, for each Kubernetes version
#   scripts/chart.sh unittest    the helm-unittest suites (helm/sigil-dna/tests/)
#   scripts/chart.sh test        all of the above, then test/chart/ (Vitest): rules and dashboard equal
#                                their files, the schema rejects bad values, and the rendered pods run the
#                                real image with Podman (built first by scripts/image.sh)
#   scripts/chart.sh helm ARGS…  the pinned helm
#
# Tools, pinned: helm, kubeconform and helm-unittest from the Go module proxy (go install, into
# .tools/bin); the Kubernetes JSON schemas from PyPI's kubernetes-validate (into .tools/chart-venv);
# the ServiceMonitor and PrometheusRule schemas from the prometheus-operator module's CRDs
# (scripts/chart/schemas.py lays them out in .tools/kube-schemas). A tool it cannot install is an
# error, never a skip, in CI (CI=true) and everywhere else.
#
# Environment: KUBE_VERSIONS (default "1.31.0 1.34.0"); SIGIL_IMAGE (default localhost/sigil-dna:latest)
# for the Podman test.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
CHART="$REPO/helm/sigil-dna"
TOOLS="$REPO/.tools"
BIN="$TOOLS/bin"
VENV="$TOOLS/chart-venv"
SCHEMAS="$TOOLS/kube-schemas"
KUBE_VERSIONS="${KUBE_VERSIONS:-1.31.0 1.34.0}"

HELM_MODULE=helm.sh/helm/v4
HELM_VERSION=v4.3.1
KUBECONFORM_MODULE=github.com/yannh/kubeconform
KUBECONFORM_VERSION=v0.7.0
UNITTEST_MODULE=github.com/helm-unittest/helm-unittest
UNITTEST_VERSION=v1.0.1
# The checksum database has no entry for this version, so go cannot verify it: it is checked against
# this hash (go.sum's h1: of the module zip) before it is built.
UNITTEST_SUM="h1:Mqb7hxZ7TTzSEFi2T5BVPbdKDm4sHWEaWSDBO2SHGdg="
PROMOP_MODULE=github.com/prometheus-operator/prometheus-operator
PROMOP_VERSION=v0.85.0
KUBERNETES_VALIDATE_VERSION=1.37.0
API_VERSIONS=(--api-versions monitoring.coreos.com/v1/ServiceMonitor --api-versions monitoring.coreos.com/v1/PrometheusRule)

say() { printf 'chart: %s\n' "$*" >&2; }
die() {
  say "$*"
  exit 1
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# --- tools -------------------------------------------------------------------------------------------
# A Go tool is current when its build info names the pinned module version.
go_tool_current() { # binary module version
  [ -x "$1" ] && go version -m "$1" 2>/dev/null | awk -v m="$2" -v v="$3" '$1 == "mod" && $2 == m && $3 == v { ok = 1 } END { exit !ok }'
}

go_tool() { # binary-name module version package [GONOSUMDB module]
  local name="$1" module="$2" version="$3" package="$4"
  if go_tool_current "$BIN/$name" "$module" "$version"; then return; fi
  command -v go >/dev/null 2>&1 || die "go is not installed: it builds $name ($module@$version)"
  local started
  started="$(now)"
  GOBIN="$BIN" GOFLAGS=-buildvcs=false GONOSUMDB="${5:-}" nice go install "$package@$version" ||
    die "could not build $package@$version"
  go_tool_current "$BIN/$name" "$module" "$version" || die "$BIN/$name is not $module $version"
  say "built $name $version in $(since "$started") s"
}

ensure_tools() {
  mkdir -p "$BIN"
  go_tool helm "$HELM_MODULE" "$HELM_VERSION" "$HELM_MODULE/cmd/helm"
  go_tool kubeconform "$KUBECONFORM_MODULE" "$KUBECONFORM_VERSION" "$KUBECONFORM_MODULE/cmd/kubeconform"
  if ! go_tool_current "$BIN/helm-unittest" "$UNITTEST_MODULE" "$UNITTEST_VERSION"; then
    local sum
    sum="$(GONOSUMDB="$UNITTEST_MODULE" GOFLAGS=-mod=mod go mod download -json "$UNITTEST_MODULE@$UNITTEST_VERSION" |
      sed -n 's/^[[:space:]]*"Sum": "\(.*\)",$/\1/p')" || die "could not download $UNITTEST_MODULE@$UNITTEST_VERSION"
    [ "$sum" = "$UNITTEST_SUM" ] || die "$UNITTEST_MODULE@$UNITTEST_VERSION has checksum $sum, expected $UNITTEST_SUM"
    go_tool helm-unittest "$UNITTEST_MODULE" "$UNITTEST_VERSION" "$UNITTEST_MODULE/cmd/helm-unittest" "$UNITTEST_MODULE"
  fi
  HELM="$BIN/helm"
  KUBECONFORM="$BIN/kubeconform"
  UNITTEST="$BIN/helm-unittest"

  if ! "$VENV/bin/python" -c "import kubernetes_validate, yaml, sys; from importlib.metadata import version; sys.exit(version('kubernetes-validate') != '$KUBERNETES_VALIDATE_VERSION')" 2>/dev/null; then
    if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
      [ "$(id -u)" -eq 0 ] || die "python3-venv is missing: install it (apt-get install python3-venv)"
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-venv >/dev/null ||
        die "could not install python3-venv"
    fi
    [ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV" || die "could not create $VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" ||
      die "could not install kubernetes-validate==$KUBERNETES_VALIDATE_VERSION into $VENV"
    say "installed kubernetes-validate $KUBERNETES_VALIDATE_VERSION into $VENV"
  fi
  PYTHON="$VENV/bin/python"

  local crds
  crds="$(GOFLAGS=-mod=mod go mod download -json "$PROMOP_MODULE@$PROMOP_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')" ||
    die "could not download $PROMOP_MODULE@$PROMOP_VERSION"
  [ -d "$crds/example/prometheus-operator-crd" ] || die "no CRDs in $crds/example/prometheus-operator-crd"
  # shellcheck disable=SC2086 # a list of versions
  "$PYTHON" "$REPO/scripts/chart/schemas.py" "$SCHEMAS" "$crds/example/prometheus-operator-crd" $KUBE_VERSIONS ||
    die "could not lay out the JSON schemas in $SCHEMAS"
  export HELM KUBECONFORM UNITTEST PYTHON
  export KUBE_SCHEMA_LOCATION="$SCHEMAS/{{ .NormalizedKubernetesVersion }}-local-strict/{{ .ResourceKind }}{{ .KindSuffix }}.json"
  export KUBE_VERSIONS
}

examples() { find "$CHART/examples" -name '*.yaml' | sort; }

# --- checks ------------------------------------------------------------------------------------------
cmd_lint() {
  local f
  for f in $(examples); do
    "$HELM" lint --strict --quiet "$CHART" -f "$f" >/dev/null 2>"$TOOLS/chart-lint.err" || {
      cat "$TOOLS/chart-lint.err" >&2
      "$HELM" lint --strict "$CHART" -f "$f" >&2 || true
      die "helm lint --strict failed with $(basename "$f")"
    }
  done
  say "helm lint --strict: $(examples | wc -l) example values files clean"
}

# kubeconform on stdin; fails on anything but "all valid, none skipped".
kubeconform_all() { # version label
  local summary
  summary="$("$KUBECONFORM" -strict -summary -kubernetes-version "$1" -schema-location "$KUBE_SCHEMA_LOCATION" -)" || {
    printf '%s\n' "$summary" >&2
    return 1
  }
  printf '%s\n' "$summary" | grep -q 'Invalid: 0, Errors: 0, Skipped: 0$' || {
    printf '%s\n' "$summary" >&2
    return 1
  }
  printf '%s: %s\n' "$2" "${summary##*Summary: }" >&2
}

cmd_validate() {
  local f v started kinds
  started="$(now)"
  # The setup must reject what Kubernetes would: a Deployment with a string port and an unknown field.
  for v in $KUBE_VERSIONS; do
    if "$KUBECONFORM" -strict -kubernetes-version "$v" -schema-location "$KUBE_SCHEMA_LOCATION" \
      "$REPO/test/chart/fixtures/broken-deployment.yaml" >/dev/null 2>&1; then
      die "kubeconform $v accepted test/chart/fixtures/broken-deployment.yaml: the schemas are not being checked"
    fi
  done
  for f in $(examples); do
    for v in $KUBE_VERSIONS; do
      "$HELM" template sigil "$CHART" -f "$f" --kube-version "$v" "${API_VERSIONS[@]}" 2>/dev/null |
        kubeconform_all "$v" "$(basename "$f") on $v" || die "$(basename "$f") does not validate against Kubernetes $v"
    done
  done
  kinds="$(for f in $(examples); do "$HELM" template sigil "$CHART" -f "$f" "${API_VERSIONS[@]}" 2>/dev/null; done |
    sed -n 's/^kind: //p' | sort -u | tr '\n' ' ')"
  say "kubeconform -strict: every example valid on Kubernetes $KUBE_VERSIONS, none skipped, in $(since "$started") s; kinds: $kinds"
}

cmd_unittest() {
  local started
  started="$(now)"
  "$UNITTEST" --strict --color=false "$CHART" >&2 || die "helm-unittest failed"
  say "helm-unittest passed in $(since "$started") s"
}

cmd_test() {
  local started image
  started="$(now)"
  cmd_lint
  cmd_validate
  cmd_unittest
  image="${SIGIL_IMAGE:-localhost/sigil-dna:latest}"
  # The image test's throwaway Postgres and Redis (installed as npm test installs them).
  bash "$REPO/scripts/ensure-test-services.sh"
  SIGIL_IMAGE="$image" bash "$REPO/scripts/image.sh" build
  # scripts/image.sh writes the Podman configuration the test needs (runc, no default ulimits, cgroupfs).
  export CONTAINERS_CONF="$TOOLS/podman/containers.conf"
  (cd "$REPO" && SIGIL_IMAGE="$image" npx vitest run --config vitest.chart.config.ts)
  say "chart tests passed in $(since "$started") s"
}

case "${1:-}" in
  tools)
    ensure_tools
    printf 'HELM=%s\nKUBECONFORM=%s\nUNITTEST=%s\nPYTHON=%s\n' "$HELM" "$KUBECONFORM" "$UNITTEST" "$PYTHON"
    ;;
  lint) ensure_tools && cmd_lint ;;
  validate) ensure_tools && cmd_validate ;;
  unittest) ensure_tools && cmd_unittest ;;
  test) ensure_tools && cmd_test ;;
  helm)
    shift
    ensure_tools >/dev/null
    exec "$HELM" "$@"
    ;;
  *)
    sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
