# contrib/prometheus: alerting rules (with promtool unit tests) and a Grafana
# dashboard for daxpind's metrics; tests/prometheus checks them with promtool
# and checks that they use only the metrics daemon/metrics.c exports.
TESTS += tests/prometheus/test-prometheus.sh
EXTRA_DIST += \
	contrib/prometheus/README.md \
	contrib/prometheus/daxpin-alerts.yml \
	contrib/prometheus/daxpin-alerts.test.yml \
	contrib/prometheus/daxpin-dashboard.json \
	tests/prometheus/check-names \
	tests/prometheus/test-prometheus.sh
# The host half of tests/vm/scenarios/daemon-metrics.sh (scripts/test).
EXTRA_DIST += tests/prometheus/node-exporter-check tests/vm/scenarios/daemon-metrics.sh
