#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-json-schemas.py - validate daxpinctl --json documents against the
# published schemas (docs/schema/<command>.json), strictly.
#
#   check-json-schemas.py [--require-all] SCHEMA_DIR DOCS
#
# DOCS holds one document a line: "<schema name>\t<JSON text>".  The
# published schemas accept keys they do not list (daxpinctl(8): within a
# version keys are only ever added); daxpinctl's own output must not carry
# one they do not document, so every object is validated as if it said
# additionalProperties: false.  With --require-all every schema in
# SCHEMA_DIR must have validated at least one document, so a command whose
# output no test produced fails instead of passing unchecked.
# Exit status: 0 all valid, 1 a document failed (each failure printed).
import json
import os
import sys

import jsonschema


def strict(schema):
    if isinstance(schema, dict):
        if "properties" in schema and "additionalProperties" not in schema:
            schema = dict(schema, additionalProperties=False)
        return {k: strict(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [strict(v) for v in schema]
    return schema


def load_validators(schema_dir):
    validators = {}
    for entry in sorted(os.listdir(schema_dir)):
        if not entry.endswith(".json"):
            continue
        with open(os.path.join(schema_dir, entry)) as f:
            schema = json.load(f)
        validators[entry[:-5]] = jsonschema.Draft202012Validator(strict(schema))
    return validators


def check(validators, docs):
    fail = 0
    seen = {}
    for lineno, raw in enumerate(open(docs, "rb"), 1):
        where = "%s:%d" % (docs, lineno)
        # RFC 8259: JSON text is UTF-8; names that are not must be repaired
        try:
            line = raw.decode("utf-8", errors="strict")
        except UnicodeDecodeError as e:
            print("FAIL: %s: not UTF-8: %s: %r" % (where, e, raw[:200]))
            fail = 1
            continue
        name, _, text = line.rstrip("\n").partition("\t")
        if name not in validators:
            print("FAIL: %s: no schema named %r" % (where, name))
            fail = 1
            continue
        try:
            doc = json.loads(text)
        except ValueError as e:
            print("FAIL: %s: %s: not JSON: %s: %r" % (where, name, e, text[:200]))
            fail = 1
            continue
        errs = list(validators[name].iter_errors(doc))
        for e in errs[:3]:
            print("FAIL: %s: %s: %s at %s" % (where, name, e.message, list(e.path)))
        fail |= bool(errs)
        seen[name] = seen.get(name, 0) + 1
    return fail, seen


def main(argv):
    require_all = "--require-all" in argv
    args = [a for a in argv if a != "--require-all"]
    if len(args) != 2:
        print("usage: check-json-schemas.py [--require-all] SCHEMA_DIR DOCS", file=sys.stderr)
        return 2
    validators = load_validators(args[0])
    fail, seen = check(validators, args[1])
    if require_all:
        for name in sorted(set(validators) - set(seen)):
            print("FAIL: no %s document was validated" % name)
            fail = 1
    print("validated %d documents: %s" % (sum(seen.values()),
          " ".join("%s=%d" % kv for kv in sorted(seen.items()))))
    return fail


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
