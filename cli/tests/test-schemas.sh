#!/bin/sh
# Validate daxpinctl --json documents against docs/schema/*.json.
# Skips (77) without python3 + jsonschema.
srcdir=${srcdir:-.}
SAMPLES=${SAMPLES:-./lib/tests/json-samples}
DAXPINCTL=${DAXPINCTL:-./cli/daxpinctl}
python3 -c 'import jsonschema' 2>/dev/null || { echo "SKIP: python3 jsonschema missing"; exit 77; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0

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

check="$srcdir/tests/tools/check-json-schemas.py"
python3 "$check" "$srcdir/docs/schema" "$tmp/docs" || fail=1

# the checker itself: the schemas must be able to say no, the published
# ones must take an added key, the strict check must not
python3 - "$check" "$srcdir/docs/schema" <<'PY' || fail=1
import importlib.util, json, re, sys
spec = importlib.util.spec_from_file_location("check_json_schemas", sys.argv[1])
cjs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cjs)
import jsonschema
schemas = sys.argv[2]
fail = 0
strict = cjs.load_validators(schemas)
published = {}
for name in strict:
    with open("%s/%s.json" % (schemas, name)) as f:
        published[name] = jsonschema.Draft202012Validator(json.load(f))
bad = [("waits", {"waits": [{"id": 1}]}), ("kick", {"id": 1}),
       ("waits", {"waits": {}}), ("stats", {"global": None}),
       ("monitor", {"event": "wait_start"})]
for name, obj in bad:
    if strict[name].is_valid(obj):
        print("FAIL: schema %s accepts %r" % (name, obj)); fail = 1
added = {"waits": [], "key_of_a_later_version": 1}
if not published["waits"].is_valid(added):
    print("FAIL: published waits schema rejects an added key"); fail = 1
if strict["waits"].is_valid(added):
    print("FAIL: strict check accepts an undocumented key"); fail = 1
versions = set()
for name in published:
    if '"additionalProperties":false' in json.dumps(published[name].schema).replace(" ", ""):
        print("FAIL: published %s schema forbids added keys" % name); fail = 1
    v = re.search(r"/v([0-9]+)/%s[.]json$" % name, published[name].schema.get("$id", ""))
    if not v:
        print("FAIL: %s schema $id has no version" % name); fail = 1
    else:
        versions.add(int(v.group(1)))
with open("%s/gen-schemas.py" % schemas) as f:
    current = int(re.search(r"^SCHEMA_VERSION = ([0-9]+)$", f.read(), re.M).group(1))
if versions != {current}:
    print("FAIL: schema $ids say JSON version %s, gen-schemas.py %d" % (sorted(versions), current)); fail = 1
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
sys.exit(fail)
PY
exit $fail
