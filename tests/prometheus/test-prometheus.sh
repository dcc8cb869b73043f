#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# contrib/prometheus with the real tools: promtool checks and unit-tests the
# alerting rules (each alert fired and not fired), and check-names proves
# that every expression of the rules and the dashboard uses only metrics
# daemon/metrics.c exports (and that it catches one that does not).
set -u
srcdir=${srcdir:-.}
C=$srcdir/contrib/prometheus
CHECK=$srcdir/tests/prometheus/check-names
fail=0
pass() { echo "PASS: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

command -v promtool >/dev/null || { echo "FAIL: no promtool (apt-get install prometheus; scripts/setup does)"; exit 1; }
tmp=$(mktemp -d /tmp/daxpin-prom.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

out=$(promtool check rules "$C/daxpin-alerts.yml" 2>&1) && pass "promtool check rules: $(grep -o '[0-9]* rules found' <<<"$out")" ||
	bad "promtool check rules: $out"
# promtool resolves rule_files relative to the test file.
out=$(cd "$C" && promtool test rules daxpin-alerts.test.yml 2>&1) && pass "promtool test rules" ||
	bad "promtool test rules: $out"
n_tests=$(grep -c '^  - name:' "$C/daxpin-alerts.test.yml")
n_alerts=$(grep -c '^      - alert:' "$C/daxpin-alerts.yml")
tested=$(grep -o 'alertname: Daxpin[A-Za-z]*' "$C/daxpin-alerts.test.yml" | sort -u | wc -l)
[ "$tested" -eq "$n_alerts" ] && pass "all $n_alerts alerts have unit tests ($n_tests groups)" ||
	bad "$tested of $n_alerts alerts tested"

out=$("$CHECK" "$srcdir/daemon/metrics.c" "$C/daxpin-alerts.yml" "$C/daxpin-dashboard.json" 2>&1) &&
	pass "rules and dashboard use only exported metrics: ${out##*check-names: }" ||
	bad "names: $out"

# The check must be able to fail: an old name, node_exporter's "up", a
# dashboard query with a typo, each caught; label lists and strings are not
# mistaken for metrics.
printf 'groups:\n- name: x\n  rules:\n  - alert: A\n    expr: daxpind_waits_seen_total > 0\n  - alert: B\n    expr: up == 0 unless on(instance) daxpin_build_info\n' >"$tmp/bad.yml"
out=$("$CHECK" "$srcdir/daemon/metrics.c" "$tmp/bad.yml" 2>&1)
[ $? -eq 1 ] && grep -q 'daxpind_waits_seen_total is not' <<<"$out" && grep -q ': up is not' <<<"$out" &&
	[ "$(grep -c 'is not a metric' <<<"$out")" -eq 2 ] &&
	pass "check-names fails on unknown names (and only those): $(grep -c 'is not' <<<"$out") found" ||
	bad "check-names on bad rules: $out"
printf '{"panels":[{"targets":[{"expr":"sum by (instance, le) (rate(daxpin_wait_duration_second_bucket{fs=\\"daxpin_x\\"}[5m]))"}]}],"templating":{"list":[{"query":"label_values(daxpin_buildinfo, instance)"}]}}' >"$tmp/bad.json"
out=$("$CHECK" "$srcdir/daemon/metrics.c" "$tmp/bad.json" 2>&1)
[ $? -eq 1 ] && grep -q 'daxpin_wait_duration_second_bucket is not' <<<"$out" &&
	grep -q 'daxpin_buildinfo is not' <<<"$out" && ! grep -qE '(instance|le|daxpin_x) is not' <<<"$out" &&
	pass "check-names fails on a dashboard typo" || bad "check-names on a bad dashboard: $out"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["uid"] and d["panels"]' \
	"$C/daxpin-dashboard.json" && pass "dashboard is JSON with panels" || bad "dashboard JSON"
exit $fail
