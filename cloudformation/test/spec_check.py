"""Checks a CloudFormation template against the AWS resource specification of the npm package
@aws-cdk/aws-service-spec (its db.json.gz), which is newer than the one cfn-lint bundles:
every resource type exists, every property exists (recursively through property types), required
properties are given, literal values have the right JSON type, and every !GetAtt names an attribute
the resource has. Intrinsic functions are not evaluated (their results are taken as valid).

Usage: python3 spec_check.py TEMPLATE DB_JSON_GZ
"""
import gzip
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from policy_test import load  # noqa: E402  (the same CloudFormation-aware YAML loader)


def intrinsic(v):
    return isinstance(v, dict) and len(v) == 1 and (next(iter(v)) == "Ref" or next(iter(v)).startswith("Fn::"))


class Spec:
    def __init__(self, path):
        db = json.load(gzip.open(path))["schema"]
        self.resources = {r["cloudFormationType"]: r for r in db["resource"]["entities"]}
        self.types = {t["$id"]: t for t in db["typeDefinition"]["entities"]}


def check_value(spec, where, t, v, errors):
    if intrinsic(v) or v is None:
        return
    kind = t.get("type")
    if kind == "union":
        trial = []
        for alt in t["types"]:
            e = []
            check_value(spec, where, alt, v, e)
            if not e:
                return
            trial += e
        errors.append(f"{where}: matches none of the allowed types ({trial[0]})")
    elif kind == "array":
        if not isinstance(v, list):
            errors.append(f"{where}: expected a list")
            return
        for i, e in enumerate(v):
            if isinstance(e, dict) and "Fn::If" in e:
                for b in e["Fn::If"][1:]:
                    if not (isinstance(b, dict) and b.get("Ref") == "AWS::NoValue"):
                        check_value(spec, f"{where}[{i}]", t["element"], b, errors)
            else:
                check_value(spec, f"{where}[{i}]", t["element"], e, errors)
    elif kind == "map":
        if not isinstance(v, dict):
            errors.append(f"{where}: expected a map")
            return
        for k, e in v.items():
            check_value(spec, f"{where}.{k}", t["element"], e, errors)
    elif kind == "ref":
        if isinstance(v, dict) and "Fn::If" in v:
            for b in v["Fn::If"][1:]:
                check_value(spec, where, t, b, errors)
            return
        if not isinstance(v, dict):
            errors.append(f"{where}: expected an object")
            return
        check_props(spec, where, spec.types[t["reference"]["$ref"]]["properties"], v, errors)
    elif kind == "tag":
        if not (isinstance(v, dict) and set(v) == {"Key", "Value"}):
            errors.append(f"{where}: expected a tag {{Key, Value}}")
    elif kind in ("string",):
        if isinstance(v, (dict, list)):
            errors.append(f"{where}: expected a string")
    elif kind in ("integer", "number"):
        try:
            float(v)
        except (TypeError, ValueError):
            errors.append(f"{where}: expected a number, got {v!r}")
    elif kind == "boolean":
        if v not in (True, False, "true", "false"):
            errors.append(f"{where}: expected a boolean, got {v!r}")


def check_props(spec, where, schema, value, errors):
    for name, p in schema.items():
        if p.get("required") and name not in value:
            errors.append(f"{where}: required property {name} missing")
    for name, v in value.items():
        if name not in schema:
            errors.append(f"{where}: unknown property {name}")
            continue
        types = [schema[name]["type"]] + schema[name].get("previousTypes", [])
        first = []
        for t in types:
            e = []
            check_value(spec, f"{where}.{name}", t, v, e)
            if not e:
                break
            first = first or e
        else:
            errors.extend(first)


def getatts(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "Fn::GetAtt":
                yield v
            elif k == "Fn::Sub":
                s = v if isinstance(v, str) else v[0]
                import re
                for m in re.finditer(r"\$\{([A-Za-z0-9]+)\.([A-Za-z0-9.]+)\}", s):
                    yield [m.group(1), m.group(2)]
                yield from getatts(v if isinstance(v, str) else v[1:])
            else:
                yield from getatts(v)
    elif isinstance(node, list):
        for v in node:
            yield from getatts(v)


def main(template, db):
    spec = Spec(db)
    t = load(template)
    errors = []
    res = t.get("Resources", {})
    for name, r in res.items():
        rt = spec.resources.get(r["Type"])
        if rt is None:
            errors.append(f"{name}: unknown resource type {r['Type']}")
            continue
        check_props(spec, name, rt["properties"], r.get("Properties") or {}, errors)
    for res_name, attr in getatts(t):
        if res_name not in res:
            continue
        rt = spec.resources.get(res[res_name]["Type"])
        if rt and attr not in rt.get("attributes", {}):
            errors.append(f"!GetAtt {res_name}.{attr}: {res[res_name]['Type']} has no attribute {attr}")
    for e in errors:
        print("  " + e)
    print(f"{len(res)} resources of {len({r['Type'] for r in res.values()})} types checked against "
          f"{len(spec.resources)} resource types: {len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
