"""The chart's values, documented in three places that must agree, and this checks they do:

- values.yaml: every key has its own comment (the line above, or at the end of the line);
- values.schema.json: every key of values.yaml is typed there with a description, and nothing else;
- README.md: the table between <!-- values:start --> and <!-- values:end --> is generated from the
  schema (description, type) and values.yaml (default).

    python values_table.py CHART           rewrite the README table
    python values_table.py CHART --check   exit 1, naming each problem, if anything disagrees
"""

import json
import re
import sys
from pathlib import Path

import yaml

START, END = "<!-- values:start -->", "<!-- values:end -->"
# Objects shown as one row (a pod spec's resources), not one row per field.
TABLE_LEAVES = {"resources"}


def leaves(schema, prefix=""):
    """(path, schema) of every documented value: objects with named properties are walked into."""
    for name, prop in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        if prop.get("type") == "object" and "properties" in prop and name not in TABLE_LEAVES:
            yield from leaves(prop, f"{path}.")
        else:
            yield path, prop


def value_paths(values, prefix=""):
    for name, value in values.items():
        path = f"{prefix}{name}"
        yield path
        if isinstance(value, dict) and value:
            yield from value_paths(value, f"{path}.")


def lookup(values, path):
    node = values
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def type_of(prop):
    t = prop.get("type", "any")
    t = " or ".join(t) if isinstance(t, list) else t
    if "enum" in prop:
        t += ": " + ", ".join(f"`{v}`" for v in prop["enum"])
    return t


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(schema, values):
    rows = ["| value | type | default | description |", "| --- | --- | --- | --- |"]
    for path, prop in leaves(schema):
        default = json.dumps(lookup(values, path), separators=(", ", ": "))
        rows.append(f"| `{path}` | {cell(type_of(prop))} | `{cell(default)}` | {cell(prop.get('description', ''))} |")
    return "\n".join(rows)


def uncommented_keys(text):
    """Keys of values.yaml with no comment of their own (block mappings; list items are data)."""
    problems = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not re.match(r"^\s*[A-Za-z0-9_.-]+:", line):
            continue
        if "#" in line.split(":", 1)[1]:
            continue
        above = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        if not above.strip().startswith("#"):
            problems.append(f"values.yaml line {i + 1}: `{line.strip()}` has no comment")
    return problems


def main():
    chart = Path(sys.argv[1])
    check = "--check" in sys.argv
    schema = json.loads((chart / "values.schema.json").read_text())
    values_text = (chart / "values.yaml").read_text()
    values = yaml.safe_load(values_text)
    problems = uncommented_keys(values_text)

    documented = {path for path, _ in leaves(schema)}
    for path, prop in leaves(schema):
        if not prop.get("description"):
            problems.append(f"values.schema.json: {path} has no description")
        if lookup(values, path) is None:
            problems.append(f"values.schema.json: {path} is not in values.yaml")
    objects = set()

    def collect(s, prefix=""):
        for name, prop in s.get("properties", {}).items():
            if prop.get("type") == "object" and "properties" in prop and name not in TABLE_LEAVES:
                objects.add(f"{prefix}{name}")
                collect(prop, f"{prefix}{name}.")

    collect(schema)
    for path in value_paths(values):
        if path not in documented and path not in objects and not any(path.startswith(f"{d}.") for d in documented):
            problems.append(f"values.yaml: {path} is not in values.schema.json")

    readme = chart / "README.md"
    text = readme.read_text()
    if START not in text or END not in text:
        problems.append(f"README.md has no {START} … {END} section")
    else:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        wanted = f"{head}{START}\n\n{table(schema, values)}\n\n{END}{tail}"
        if wanted != text:
            if check:
                problems.append("README.md's values table is not the one values.schema.json and values.yaml give: run python scripts/chart/values_table.py helm/sigil-dna")
            else:
                readme.write_text(wanted)
    for problem in problems:
        print(problem)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
