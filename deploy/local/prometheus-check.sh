#!/usr/bin/env bash
# A real Prometheus against the real suite: starts the local run (embedded PostgreSQL, Redis, S3 and all five
# services, fresh data, free store ports) and Prometheus (Debian package) scraping the five services through
# file-based discovery on their management ports (9081-9085: /q/metrics is not on the service ports), waits for
# up == 1 on all five targets, then asks Prometheus's HTTP API for one metric of
# each service (a strata_*/rates_*/kyc_* metric the service itself exports). Run by .ci/run after the tests (the services'
# builds exist then; pass --build to build first).
#   deploy/local/prometheus-check.sh [--build] [--timeout 240]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"

build=0
timeout=240
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=1 ;;
    --timeout) timeout="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

if ! command -v prometheus >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
  [ "$(id -u)" = "0" ] || { echo "prometheus-check: install prometheus, curl and python3 (Debian packages)" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus curl python3 >/dev/null
fi
if [ "$build" = 1 ] || [ ! -f deploy/local/target/strata-local.jar ]; then
  ./mvnw -q -B -ntp -DskipTests package
fi

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# name:management port (the service port + 1000; /q/metrics and /q/health live there, not on 8081-8085)
services=(auth-service:9081 kyc-service:9082 settings-service:9083 rates-service:9084 storage-gateway:9085)
prom_port="${STRATA_CHECK_PROMETHEUS_PORT:-19090}"

echo "== starting the local run (fresh data) ..."
deploy/local/strata-local --no-build --fresh --gateway-port 18080 --smtp-port 13025 --sink-port 18025 \
  >"$work/local.log" 2>&1 &
pids+=($!)
deadline=$((SECONDS + timeout))
until grep -q "STRATA READY" "$work/local.log"; do
  if [ $SECONDS -ge $deadline ] || ! kill -0 "${pids[0]}" 2>/dev/null; then
    echo "FAIL: the local run was not ready within ${timeout} s" >&2; tail -40 "$work/local.log" >&2; exit 1
  fi
  sleep 1
done
echo "   ready after ${SECONDS} s"

# file-based discovery, as the README's local monitoring describes: one target group per service
python3 - "$work/targets.json" "${services[@]}" <<'EOF'
import json, sys
out, specs = sys.argv[1], sys.argv[2:]
json.dump([{"targets": ["127.0.0.1:" + s.split(":")[1]], "labels": {"service": s.split(":")[0]}} for s in specs],
          open(out, "w"), indent=2)
EOF
cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 2s
  scrape_timeout: 2s
scrape_configs:
  - job_name: strata
    metrics_path: /q/metrics
    file_sd_configs:
      - files: ['$work/targets.json']
        refresh_interval: 5s
EOF
promtool check config "$work/prometheus.yml" >/dev/null
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
api="http://127.0.0.1:$prom_port/api/v1"

query() { # prints the number of series with a value, and the values, for a PromQL expression
  curl -sf --get "$api/query" --data-urlencode "query=$1" | python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(len(r), " ".join(sorted(x["metric"].get("service", "?") + "=" + x["value"][1] for x in r)))'
}

echo "== waiting for up == 1 on all five targets ..."
deadline=$((SECONDS + 90))
while true; do
  got="$(query 'up{job="strata"} == 1' 2>/dev/null || echo "0 -")"
  [ "${got%% *}" = "5" ] && break
  if [ $SECONDS -ge $deadline ]; then
    echo "FAIL: targets up: $got" >&2
    curl -sf "$api/targets" >&2 || tail -20 "$work/prometheus.log" >&2
    exit 1
  fi
  sleep 1
done
echo "ok:   up == 1: ${got#* }"

failed=0
for s in "${services[@]}"; do
  name="${s%%:*}"; port="${s##*:}"
  # a metric the service exports itself, read off its own endpoint, then asked of Prometheus
  metric="$(curl -sf "http://127.0.0.1:$port/q/metrics" | grep -oE '^(strata|rates|kyc)_[a-z0-9_]+' | sort -u | head -1 || true)"
  if [ -z "$metric" ]; then
    echo "FAIL: $name exports no metric of its own" >&2; failed=1; continue
  fi
  deadline=$((SECONDS + 30))
  while true; do
    got="$(query "count by (service) ($metric{service=\"$name\"})" || echo "0 -")"
    [ "${got%% *}" = "1" ] && break
    if [ $SECONDS -ge $deadline ]; then echo "FAIL: $name: Prometheus has no $metric ($got)" >&2; failed=1; break; fi
    sleep 1
  done
  [ "${got%% *}" = "1" ] && echo "ok:   $name: $metric via Prometheus (${got#* } series)"
  # ... and not on the service port, which the Ingress's Service exposes
  code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$((port - 1000))/q/metrics" || true)"
  if [ "$code" = "404" ]; then echo "ok:   $name: /q/metrics is 404 on the service port $((port - 1000))"
  else echo "FAIL: $name: /q/metrics on the service port $((port - 1000)) answered $code" >&2; failed=1; fi
done
[ "$failed" = 0 ] || exit 1
echo "prometheus-check: all five services scraped and queried"
