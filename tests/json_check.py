#!/usr/bin/env python3
"""json_check.py SCHEMA FILE... - check JSON documents against a schema.

The schema uses a small part of JSON Schema (type, properties, required,
additionalProperties, items, enum, const, minimum, anyOf, $ref into $defs),
which this checks without any package beyond Python's standard library.
Prints one line per problem; exits 1 if there was any."""
import json
import sys

TYPES = {
    "object": dict, "array": list, "string": str, "boolean": bool, "null": type(None),
}


def is_type(value, name):
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, TYPES[name])


def check(root, schema, value, where, problems):
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/$defs/"), ref
        check(root, root["$defs"][ref[len("#/$defs/"):]], value, where, problems)
    if "anyOf" in schema:
        best, best_wrong_type = None, True
        for alt in schema["anyOf"]:
            sub = []
            check(root, alt, value, where, sub)
            if not sub:
                break
            # Prefer an alternative of the value's own type: its problems say more.
            wrong_type = sub[0].startswith("%s: " % where) and " is not " in sub[0]
            if best is None or (best_wrong_type and not wrong_type):
                best, best_wrong_type = sub, wrong_type
        else:
            problems.extend(best)
            return
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(is_type(value, n) for n in names):
            problems.append("%s: %r is not %s" % (where, value, " or ".join(names)))
            return
    if "const" in schema and value != schema["const"]:
        problems.append("%s: %r is not %r" % (where, value, schema["const"]))
    if "enum" in schema and value not in schema["enum"]:
        problems.append("%s: %r is not one of %s" % (where, value, schema["enum"]))
    if "minimum" in schema and is_type(value, "number") and value < schema["minimum"]:
        problems.append("%s: %r is below %r" % (where, value, schema["minimum"]))
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                problems.append("%s: %s is missing" % (where, key))
        for key, sub in value.items():
            if key in props:
                check(root, props[key], sub, "%s.%s" % (where, key), problems)
            elif schema.get("additionalProperties", True) is False:
                problems.append("%s: %s is not in the schema" % (where, key))
    if isinstance(value, list) and "items" in schema:
        for i, sub in enumerate(value):
            check(root, schema["items"], sub, "%s[%d]" % (where, i), problems)


def main(argv):
    with open(argv[1]) as f:
        schema = json.load(f)
    bad = 0
    for path in argv[2:]:
        problems = []
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            problems.append("not JSON: %s" % e)
        else:
            check(schema, schema, doc, "$", problems)
        for p in problems[:20]:
            print("%s: %s" % (path, p))
        bad += bool(problems)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
