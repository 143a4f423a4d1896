#!/usr/bin/env bash
# Benchmark of the cached read path: GET /api/rates/EUR/USD against GET /api/rates/ping (plain text, same
# service, same run), wrk -t2 -c32 -d10s each in alternating rounds (BENCH_ROUNDS, default 2), then the
# throughput ratio of the means (target >= 0.70).
#   rates-service/bench/run.sh [--no-build]
# Starts rates-service (and its embedded PostgreSQL/Redis) through deploy/local/strata-local --only rates-service,
# on a throw-away data directory; the bundled ECB snapshot provides the rates, so no internet is needed.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PORT=8084
BASE="http://127.0.0.1:$PORT"
DURATION="${BENCH_DURATION:-10s}"

if [ "${1:-}" != "--no-build" ]; then
  echo "[bench] building rates-service ..."
  (cd "$ROOT" && ./mvnw -q -B -ntp -DskipTests package -pl rates-service,deploy/local -am)
fi

if ! command -v wrk >/dev/null 2>&1; then
  echo "[bench] installing wrk ..."
  apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null
fi

if [ ! -f "$ROOT/deploy/local/target/strata-local.jar" ]; then
  echo "[bench] deploy/local is not built: run ./mvnw -q -DskipTests package -pl deploy/local first" >&2
  exit 1
fi

# Every read is rate limited per client IP (rates-read, 1200/min by default) and wrk is one client: the limit is
# raised far above what wrk sends, so the limiter still decides every request (one Redis script call each, which
# is what this measures) but never rejects one. BENCH_READ_LIMIT=1200 shows the production policy instead.
export STRATA_RATE_LIMIT_POLICIES_RATES_READ_LIMIT="${BENCH_READ_LIMIT:-100000000}"

DATA="$(mktemp -d /tmp/strata-bench-rates.XXXXXX)"
LOG="$DATA/strata-local.log"
"$ROOT/deploy/local/strata-local" --no-build --only rates-service --data-dir "$DATA" >"$LOG" 2>&1 &
LAUNCHER=$!
cleanup() {
  if kill -0 "$LAUNCHER" 2>/dev/null; then
    kill -TERM "$LAUNCHER" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$LAUNCHER" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$LAUNCHER" 2>/dev/null || true
  fi
  rm -rf "$DATA"
}
trap cleanup EXIT INT TERM

echo "[bench] starting rates-service (log: $LOG) ..."
for _ in $(seq 1 360); do
  grep -q "STRATA READY" "$LOG" 2>/dev/null && break
  kill -0 "$LAUNCHER" 2>/dev/null || { echo "[bench] launcher exited:"; tail -40 "$LOG"; exit 1; }
  sleep 0.5
done
grep -q "STRATA READY" "$LOG" || { echo "[bench] not ready in time"; tail -40 "$LOG"; exit 1; }

# the first background refresh loads the bundled snapshot a few seconds after start
for _ in $(seq 1 120); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/rates/EUR/USD" || true)
  [ "$code" = "200" ] && break
  sleep 0.5
done
[ "$code" = "200" ] || { echo "[bench] GET /api/rates/EUR/USD answered $code"; tail -40 "$LOG"; exit 1; }
echo "[bench] sample: $(curl -s "$BASE/api/rates/EUR/USD")"

run() { # url -> prints "req/s p99" ; full wrk output kept in $DATA
  local name=$1 url=$2 out="$DATA/wrk-$1.txt"
  wrk -t2 -c32 -d"$DURATION" --latency "$url" >"$out"
  local rps p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  local errors
  errors=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$out")
  echo "$rps $p99 ${errors:-0}"
}

echo "[bench] warming up ..."
wrk -t2 -c32 -d5s "$BASE/api/rates/ping" >/dev/null
wrk -t2 -c32 -d5s "$BASE/api/rates/EUR/USD" >/dev/null

ROUNDS="${BENCH_ROUNDS:-2}"
echo
echo "rates-service benchmark (wrk -t2 -c32 -d$DURATION --latency, $ROUNDS alternating rounds, same run, $(nproc) CPUs, rates-read limit $STRATA_RATE_LIMIT_POLICIES_RATES_READ_LIMIT/min)"
PING_SUM=0; RATE_SUM=0
for round in $(seq 1 "$ROUNDS"); do
  read -r PING_RPS PING_P99 PING_ERR < <(run ping "$BASE/api/rates/ping")
  read -r RATE_RPS RATE_P99 RATE_ERR < <(run rate "$BASE/api/rates/EUR/USD")
  printf '  round %d  %-32s %12s req/s   p99 %-10s non-2xx %s\n' "$round" "GET /api/rates/ping (plaintext)" "$PING_RPS" "$PING_P99" "$PING_ERR"
  printf '  round %d  %-32s %12s req/s   p99 %-10s non-2xx %s\n' "$round" "GET /api/rates/EUR/USD (cached)" "$RATE_RPS" "$RATE_P99" "$RATE_ERR"
  PING_SUM=$(awk -v a="$PING_SUM" -v b="$PING_RPS" 'BEGIN { print a + b }')
  RATE_SUM=$(awk -v a="$RATE_SUM" -v b="$RATE_RPS" 'BEGIN { print a + b }')
done
RATIO=$(awk -v a="$RATE_SUM" -v b="$PING_SUM" 'BEGIN { printf "%.2f", a / b }')
echo "  mean req/s: plaintext $(awk -v a="$PING_SUM" -v n="$ROUNDS" 'BEGIN { printf "%.0f", a / n }'), cached $(awk -v a="$RATE_SUM" -v n="$ROUNDS" 'BEGIN { printf "%.0f", a / n }')"
echo "  ratio cached/plaintext: $RATIO (target >= 0.70)"
grep -E "^rates_cache_requests_total" <(curl -s "$BASE/q/metrics") | sed 's/^/  /' || true
