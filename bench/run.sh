#!/usr/bin/env bash
# The suite's benchmark: starts every service on embedded stores (deploy/local/strata-local), warms up, then for
# each service measures its hot path next to the same service's plaintext endpoint (GET /api/ping, or its own ping)
# in alternating rounds of wrk -t2 -c32, and prints req/s, p99, the ratio, sign-ins/s, each service's startup time
# (Quarkus' "started in") and its resident memory after the load.
#   bench/run.sh                 (BENCH_DURATION=10s BENCH_ROUNDS=2 BENCH_WARMUP=8s BENCH_CONNECTIONS=32)
#   bench/run.sh --build         rebuild the services first (otherwise only when a jar is missing)
#   bench/run.sh --only auth,rates   a subset (auth, rates, settings, storage)
# Figures from a shared or small machine are indicative; the ratios come from the same run.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
DURATION="${BENCH_DURATION:-10s}"
CONNS="${BENCH_CONNECTIONS:-32}"
ROUNDS="${BENCH_ROUNDS:-2}"
WARMUP="${BENCH_WARMUP:-8s}"
ONLY="auth,rates,settings,storage"
BUILD=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=1 ;;
    --only) ONLY="$2"; shift ;;
    *) echo "usage: bench/run.sh [--build] [--only auth,rates,settings,storage]" >&2; exit 2 ;;
  esac
  shift
done

if ! command -v wrk >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1; then
  echo "[bench] installing wrk and curl"
  apt-get update -qq >/dev/null && apt-get install -y -qq wrk curl >/dev/null
fi
SERVICES="auth-service rates-service settings-service storage-gateway kyc-service"
missing=0
for s in $SERVICES; do
  [ -f "$s/target/quarkus-app/quarkus-run.jar" ] && [ -f "$s/target/quarkus-app/app-cds.jsa" ] || missing=1
done
[ -f deploy/local/target/strata-local.jar ] || missing=1
if [ "$BUILD" = 1 ] || [ "$missing" = 1 ]; then
  echo "[bench] building the services and the launcher"
  # with AppCDS archives (StrataLocal passes them to each JVM): start-up is part of what is measured
  ./mvnw -q -B -ntp -DskipTests -Dquarkus.package.jar.appcds.enabled=true package
fi

# Limits would turn the runs into 429 benchmarks: raise them for these processes only (the limiter still runs on
# every request, so its cost is measured). The quota counts pending upload tickets: raise it too.
# Every service sees these variables, so each policy is given whole (limit, window, subject), as it is defined.
policy() { # NAME window subject
  export "STRATA_RATE_LIMIT_POLICIES_$1_LIMIT=100000000" "STRATA_RATE_LIMIT_POLICIES_$1_WINDOW=$2" \
    "STRATA_RATE_LIMIT_POLICIES_$1_SUBJECT=$3"
}
policy SIGN_IN_IP 1m ip
policy SIGN_UP_IP 1h ip
policy SIGN_IN_ACCOUNT 15m account
policy SIGN_IN_ACCOUNT_IP 15m account
policy SIGN_IN_ACCOUNT_FAILURES 15m account
policy RATES_READ 1m ip
policy UPLOADS 1h account
export STRATA_STORAGE_QUOTA_MAX_OBJECTS=100000000
export STRATA_STORAGE_QUOTA_MAX_BYTES=1000000000000000

DATA="$(mktemp -d /tmp/strata-bench.XXXXXX)"
LOG="$DATA/strata-local.log"
# one service at a time, so each start-up time is its own, not five JVMs sharing the CPUs
echo "[bench] starting the suite on embedded stores, one service at a time (data and logs: $DATA)"
setsid deploy/local/strata-local --no-build --sequential --data-dir "$DATA" >"$LOG" 2>&1 &
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
for _ in $(seq 1 600); do
  grep -q "STRATA READY" "$LOG" 2>/dev/null && break
  kill -0 "$LAUNCHER" 2>/dev/null || { echo "[bench] launcher exited:"; tail -40 "$LOG"; exit 1; }
  sleep 0.5
done
grep -q "STRATA READY" "$LOG" || { echo "[bench] not ready in time"; tail -40 "$LOG"; exit 1; }

AUTH=http://127.0.0.1:8081; SETTINGS=http://127.0.0.1:8083; RATES=http://127.0.0.1:8084; STORAGE=http://127.0.0.1:8085
export BENCH_EMAIL="bench-$(date +%s)@strata.test"
export BENCH_PASSWORD="bench password for wrk 1"
curl -sf -X POST "$AUTH/api/users" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\"}" >/dev/null
BENCH_TOKEN="$(curl -sf -X POST "$AUTH/api/sessions" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/')"
export BENCH_TOKEN
BEARER="Authorization: Bearer $BENCH_TOKEN"
# presign issuance runs round-robin over several users (one user's quota decisions are serialized by design)
TOKENS=()
for i in $(seq 1 "${BENCH_UPLOAD_USERS:-8}"); do
  e="bench-$(date +%s)-$i@strata.test"
  curl -sf -X POST "$AUTH/api/users" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$e\",\"password\":\"$BENCH_PASSWORD\"}" >/dev/null
  TOKENS+=("$(curl -sf -X POST "$AUTH/api/sessions" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$e\",\"password\":\"$BENCH_PASSWORD\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/')")
done
BENCH_TOKENS="$(IFS=,; echo "${TOKENS[*]}")"
export BENCH_TOKENS
check() { # url, curl args... : the path must answer 2xx before it is measured
  local url="$1"; shift
  for _ in $(seq 1 120); do
    code="$(curl -s -o /dev/null -w '%{http_code}' "$@" "$url" || true)"
    case "$code" in 2*) return 0 ;; esac
    sleep 0.5
  done
  echo "[bench] $url answered $code"; exit 1
}
check "$AUTH/api/sessions/current" -H "$BEARER"
check "$RATES/api/rates/EUR/USD"
check "$SETTINGS/api/settings/me" -H "$BEARER"
check "$STORAGE/api/uploads" -X POST -H "$BEARER" -H 'Content-Type: application/json' \
  -d '{"fileName":"bench.png","contentType":"image/png","size":1024}'

ms() { # wrk latency (850.00us, 5.50ms, 1.20s) -> milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}
wrk_run() { # name, wrk args... -> "rps p99ms non2xx"
  local name="$1"; shift
  local out="$DATA/wrk-$name.txt"
  wrk -t2 -c"$CONNS" -d"$DURATION" --latency "$@" >"$out" 2>&1 || true
  local rps p99 err
  rps="$(awk '/^Requests\/sec:/ {print $2}' "$out")"
  p99="$(awk '$1=="99%" {print $2}' "$out")"
  err="$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$out")"
  echo "${rps:-0} $(ms "${p99:-0ms}") ${err:-0}"
}

declare -A HOT_ARGS BASE_URL LABEL
LABEL[auth]="session check   GET /api/sessions/current"
HOT_ARGS[auth]="-H|$BEARER|$AUTH/api/sessions/current"
BASE_URL[auth]="$AUTH/api/auth/ping"
LABEL[rates]="cached rate     GET /api/rates/EUR/USD"
HOT_ARGS[rates]="$RATES/api/rates/EUR/USD"
BASE_URL[rates]="$RATES/api/rates/ping"
LABEL[settings]="settings read   GET /api/settings/me"
HOT_ARGS[settings]="-H|$BEARER|$SETTINGS/api/settings/me"
BASE_URL[settings]="$SETTINGS/api/ping"
LABEL[storage]="presign issue   POST /api/uploads"
HOT_ARGS[storage]="-s|$ROOT/bench/upload.lua|$STORAGE/api/uploads"
BASE_URL[storage]="$STORAGE/api/ping"

echo
echo "Strata benchmark: wrk -t2 -c$CONNS -d$DURATION --latency, $ROUNDS alternating rounds after a $WARMUP warm-up each,"
echo "$(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '\n%-9s %-42s %10s %9s   %10s %9s   %6s  %s\n' service "hot path" "req/s" "p99 ms" "plain r/s" "p99 ms" ratio "non-2xx"
IFS=',' read -r -a WANT <<<"$ONLY"
for svc in "${WANT[@]}"; do
  IFS='|' read -r -a hot <<<"${HOT_ARGS[$svc]}"
  base="${BASE_URL[$svc]}"
  wrk -t2 -c"$CONNS" -d"$WARMUP" "$base" >/dev/null 2>&1 || true
  wrk -t2 -c"$CONNS" -d"$WARMUP" "${hot[@]}" >/dev/null 2>&1 || true
  hot_sum=0; base_sum=0; hot_p99=0; base_p99=0; errs=0
  for round in $(seq 1 "$ROUNDS"); do
    read -r brps bp99 berr < <(wrk_run "$svc-plain-$round" "$base")
    read -r hrps hp99 herr < <(wrk_run "$svc-hot-$round" "${hot[@]}")
    base_sum=$(awk -v a="$base_sum" -v b="$brps" 'BEGIN { print a + b }')
    hot_sum=$(awk -v a="$hot_sum" -v b="$hrps" 'BEGIN { print a + b }')
    base_p99=$(awk -v a="$base_p99" -v b="$bp99" 'BEGIN { print (b > a ? b : a) }')
    hot_p99=$(awk -v a="$hot_p99" -v b="$hp99" 'BEGIN { print (b > a ? b : a) }')
    errs=$((errs + herr + berr))
  done
  awk -v s="$svc" -v l="${LABEL[$svc]}" -v h="$hot_sum" -v b="$base_sum" -v n="$ROUNDS" -v hp="$hot_p99" -v bp="$base_p99" -v e="$errs" \
    'BEGIN { printf "%-9s %-42s %10.0f %9.2f   %10.0f %9.2f   %6.2f  %d\n", s, l, h / n, hp, b / n, bp, h / b, e }'
done

# sign-ins are argon2id-bound by design: a short run is enough
read -r srps sp99 serr < <(wrk_run sign-in --timeout 30s -s "$ROOT/bench/signin.lua" "$AUTH/api/sessions")
printf '%-9s %-42s %10.1f %9.2f   %10s %9s   %6s  %d\n' auth "sign-in         POST /api/sessions" "$srps" "$sp99" "" "" "" "$serr"

echo
echo "ratio = hot path req/s / the same service's plaintext req/s (mean of the rounds); p99 = worst round"
echo "targets: session check >= 0.60 with p99 <= 5 ms; every service ready <= 2.5 s after JVM start, <= 250 MB RSS after load"
printf '\n%-18s %14s %12s\n' service "started in s" "RSS MB"
for s in $SERVICES; do
  started="$(grep -o 'started in [0-9.]*s' "$DATA/logs/$s.log" | head -1 | grep -o '[0-9.]*' || echo '?')"
  # the service's JVM (not the watchdog that also names the jar): the largest resident set among the matches
  rss=0
  for pid in $(pgrep -f -- "-Dstrata.service=$s( |\$)" || true); do
    r="$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status" 2>/dev/null || echo 0)"
    [ "${r:-0}" -gt "$rss" ] && rss="$r"
  done
  printf '%-18s %14s %12s\n' "$s" "$started" "$rss"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
