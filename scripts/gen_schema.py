#!/usr/bin/env python3
"""Generate crates/schema/data/ocsf-<version>.json from a compiled OCSF schema.

Usage (from the repository root):

    python3 scripts/gen_schema.py [path/to/<version>-compiled.json]

The default input is ../shared/ocsf/1.4.0-compiled.json (relative to the repository root): the
OCSF server's export, with classes and objects fully resolved. The output keeps only what
ocsf-map needs: the classes listed in CLASSES, every object they reach transitively (through
any attribute, whatever its profile), the data types, and per attribute the fields used for
derivation and validation. Keys are sorted and the output is compact, so regenerating from the
same input gives identical bytes. A new OCSF version is a data change: run this script on the
new compiled file and load the result (crates/schema embeds data/ocsf-1.4.0.json).

Output format:

    {"version": "1.4.0",
     "classes": {"<name>": {"caption", "uid", "category_uid", "category_name" (e.g. "findings"),
                            "category_caption" (e.g. "Findings"), "profiles": [...],
                            "constraints": {"at_least_one"?: [...], "just_one"?: [...]},
                            "attributes": {"<name>": ATTRIBUTE}}},
     "objects": {"<name>": {"caption", "constraints", "attributes", "observable"?}},
     "types":   {"<name>": {"caption", "base" (the parent type, itself for primitives),
                            "regex"?, "range"?: [lo, hi], "max_len"?, "observable"?, "values"?}}}

    ATTRIBUTE = {"caption", "type", "requirement" (required|recommended|optional),
                 "profile" (null = core), "is_array"? (only when true), "object_type"?,
                 "enum"?: {"<id>": "<caption>"}, "sibling"?, "observable"?,
                 "deprecated"?: {"message", "since"}}

Fields marked ? are omitted when absent.
"""

import json
import os
import sys

CLASSES = ["detection_finding", "email_activity", "network_activity"]

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_INPUT = os.path.join(REPO, "..", "shared", "ocsf", "1.4.0-compiled.json")


def enum_of(attr):
    """id -> caption, ids kept as strings (JSON object keys)."""
    enum = attr.get("enum")
    if enum is None:
        return None
    return {key: value.get("caption", key) for key, value in enum.items()}


def attribute(attr):
    out = {
        "caption": attr.get("caption", ""),
        "type": attr["type"],
        "requirement": attr.get("requirement", "optional"),
        "profile": attr.get("profile"),
    }
    if attr.get("is_array"):
        out["is_array"] = True
    if "object_type" in attr:
        out["object_type"] = attr["object_type"]
    enum = enum_of(attr)
    if enum is not None:
        out["enum"] = enum
    if "sibling" in attr:
        out["sibling"] = attr["sibling"]
    if "@deprecated" in attr:
        dep = attr["@deprecated"]
        out["deprecated"] = {"message": dep.get("message", ""), "since": dep.get("since", "")}
    if "observable" in attr:
        out["observable"] = attr["observable"]
    return out


def constraints(node):
    cons = node.get("constraints") or {}
    out = {}
    for key in ("at_least_one", "just_one"):
        if cons.get(key):
            out[key] = list(cons[key])
    unknown = set(cons) - {"at_least_one", "just_one"}
    if unknown:
        sys.exit(f"unknown constraint kind(s) {sorted(unknown)} in {node.get('name')}")
    return out


def object_types(attrs):
    return {a["object_type"] for a in attrs.values() if a.get("type") == "object_t" and "object_type" in a}


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_INPUT
    with open(src, encoding="utf-8") as f:
        compiled = json.load(f)

    classes = {}
    pending = set()
    for name in CLASSES:
        cls = compiled["classes"][name]
        classes[name] = {
            "caption": cls["caption"],
            "uid": cls["uid"],
            "category_uid": cls["category_uid"],
            "category_name": cls.get("category", ""),
            "category_caption": cls.get("category_name", ""),
            "profiles": list(cls.get("profiles", [])),
            "constraints": constraints(cls),
            "attributes": {k: attribute(v) for k, v in cls["attributes"].items()},
        }
        pending |= object_types(cls["attributes"])

    objects = {}
    while pending:
        name = pending.pop()
        if name in objects:
            continue
        obj = compiled["objects"][name]
        entry = {
            "caption": obj["caption"],
            "constraints": constraints(obj),
            "attributes": {k: attribute(v) for k, v in obj["attributes"].items()},
        }
        if "observable" in obj:
            entry["observable"] = obj["observable"]
        objects[name] = entry
        pending |= object_types(obj["attributes"]) - set(objects)

    types = {}
    for name, t in compiled["types"].items():
        entry = {"caption": t.get("caption", name), "base": t.get("type", name)}
        for key in ("regex", "range", "max_len", "observable", "values"):
            if key in t:
                entry[key] = t[key]
        types[name] = entry

    out = {
        "version": compiled["version"],
        "classes": classes,
        "objects": objects,
        "types": types,
    }
    dst = os.path.join(REPO, "crates", "schema", "data", f"ocsf-{compiled['version']}.json")
    text = json.dumps(out, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
    with open(dst, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(dst, REPO)}: {len(classes)} classes, {len(objects)} objects, "
          f"{len(types)} types, {len(text)} bytes")


if __name__ == "__main__":
    main()
