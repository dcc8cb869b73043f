#!/bin/sh
# Validate daxpinctl --json documents against docs/schema/*.json.
# Skips (77) without python3 + jsonschema.
srcdir=${srcdir:-.}
SAMPLES=${SAMPLES:-./lib/tests/json-samples}
DAXPINCTL=${DAXPINCTL:-./cli/daxpinctl}
python3 -c 'import jsonschema' 2>/dev/null || { echo "SKIP: python3 jsonschema missing"; exit 77; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

"$SAMPLES" >"$tmp/docs" || { echo "FAIL: json-samples"; exit 1; }
printf 'version\t%s\n' "$("$DAXPINCTL" version --json=short)" >>"$tmp/docs"
printf 'status\t%s\n' "$("$DAXPINCTL" status --json=short)" >>"$tmp/docs"
printf 'bench\t%s\n' "$("$DAXPINCTL" bench truncate "$tmp" -n 2 --json=short 2>/dev/null)" >>"$tmp/docs"
# waits/stats only when the module answers
if out=$("$DAXPINCTL" waits --json=short 2>/dev/null); then
	printf 'waits\t%s\n' "$out" >>"$tmp/docs"
fi
if out=$("$DAXPINCTL" stats --json=short 2>/dev/null); then
	printf 'stats\t%s\n' "$out" >>"$tmp/docs"
fi

python3 - "$srcdir/docs/schema" "$tmp/docs" <<'PY'
import json, sys, jsonschema
schemas, docs = sys.argv[1], sys.argv[2]
fail = 0
cache = {}
def strict(s):
    """The published schemas accept added keys (keys are only ever added);
    daxpinctl's own output must not carry one they do not document."""
    if isinstance(s, dict):
        if "properties" in s and "additionalProperties" not in s:
            s = dict(s, additionalProperties=False)
        return {k: strict(v) for k, v in s.items()}
    if isinstance(s, list):
        return [strict(v) for v in s]
    return s
published = {}
def validator(name, loose=False):
    if name not in cache:
        with open("%s/%s.json" % (schemas, name)) as f:
            published[name] = jsonschema.Draft202012Validator(json.load(f))
            cache[name] = jsonschema.Draft202012Validator(strict(published[name].schema))
    return published[name] if loose else cache[name]
n = 0
for raw in open(docs, "rb"):
    # RFC 8259: JSON text is UTF-8; names that are not must be repaired
    try:
        line = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        print("FAIL: not UTF-8: %s: %r" % (e, raw[:200])); fail = 1; continue
    name, doc = line.rstrip("\n").split("\t", 1)
    try:
        obj = json.loads(doc)
    except ValueError as e:
        print("FAIL: %s: not JSON: %s: %r" % (name, e, doc[:200])); fail = 1; continue
    errs = list(validator(name).iter_errors(obj))
    for e in errs[:3]:
        print("FAIL: %s: %s at %s" % (name, e.message, list(e.path)))
    fail |= bool(errs)
    n += 1
# the schemas must be able to say no
bad = [("waits", {"waits": [{"id": 1}]}), ("kick", {"id": 1}),
       ("waits", {"waits": {}}), ("stats", {"global": None}),
       ("monitor", {"event": "wait_start"})]
for name, obj in bad:
    if validator(name).is_valid(obj):
        print("FAIL: schema %s accepts %r" % (name, obj)); fail = 1
# an added key: the published schema takes it, the strict check does not
added = {"waits": [], "key_of_a_later_version": 1}
if not validator("waits", loose=True).is_valid(added):
    print("FAIL: published waits schema rejects an added key"); fail = 1
if validator("waits").is_valid(added):
    print("FAIL: strict check accepts an undocumented key"); fail = 1
for name in published:
    if '"additionalProperties":false' in json.dumps(published[name].schema).replace(" ", ""):
        print("FAIL: published %s schema forbids added keys" % name); fail = 1
    if "/v2/" not in published[name].schema.get("$id", ""):
        print("FAIL: %s schema $id does not say JSON version 2" % name); fail = 1
# JSON version 2 (daxpinctl(8)): names of version 1 that were renamed or
# removed appear in no schema (and so, by the strict check, in no output).
def keys(s, path=""):
    if isinstance(s, dict):
        for k, v in s.get("properties", {}).items():
            yield k, path + "/" + k
        for k, v in s.items():
            yield from keys(v, path + ("/" + k if k != "properties" else ""))
    elif isinstance(s, list):
        for v in s:
            yield from keys(v, path)
v1 = {"waited_ms", "waits_active", "oldest_ms", "uptime_sec", "filesystems",
      "mount", "kicked", "namespace", "region", "device", "waits_seen",
      "dropped"}
for name in published:
    for k, where in keys(published[name].schema):
        if k in v1:
            print("FAIL: %s schema still has the version 1 key %s (%s)" % (name, k, where)); fail = 1
for e in published["monitor"].schema["oneOf"]:
    if "type" in e.get("properties", {}):
        print("FAIL: monitor events still carry the wire type"); fail = 1
print("validated %d documents" % n)
sys.exit(fail)
PY
