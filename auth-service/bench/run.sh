#!/usr/bin/env bash
# auth-service benchmark: sign-ins/s (argon2id at the ASVS minimum, slow by design), session checks/s
# (GET /api/sessions/current with a valid token: Redis lookup through the platform mechanism) and a plaintext
# endpoint of the same service (GET /api/auth/ping) as the baseline, each with wrk -t2 -c32 -d10s.
# Starts auth-service with embedded stores through deploy/local/strata-local and stops everything it started.
#   auth-service/bench/run.sh            (BENCH_DURATION=10s BENCH_CONNECTIONS=32 to change)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BENCH="$ROOT/auth-service/bench"
PORT=8081
BASE="http://127.0.0.1:$PORT"
DURATION="${BENCH_DURATION:-10s}"
CONNS="${BENCH_CONNECTIONS:-32}"
cd "$ROOT"

if ! command -v wrk >/dev/null 2>&1; then
  echo "[bench] installing wrk"
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
if [ ! -f auth-service/target/quarkus-app/quarkus-run.jar ] || [ ! -f deploy/local/target/strata-local.jar ]; then
  echo "[bench] building auth-service and the local launcher"
  ./mvnw -q -B -ntp -DskipTests install -pl auth-service,deploy/local -am
fi

LOG="$(mktemp -t strata-auth-bench.XXXXXX)"
# The sign-in limits (30/min per IP, 10/15 min per account) would turn the sign-in run into a 429 benchmark:
# raise them for this process only. The limiter still runs on every sign-in, so its cost is measured.
export STRATA_RATE_LIMIT_POLICIES_SIGN_IN_IP_LIMIT=100000000
export STRATA_RATE_LIMIT_POLICIES_SIGN_IN_ACCOUNT_LIMIT=100000000
export STRATA_RATE_LIMIT_POLICIES_SIGN_IN_ACCOUNT_IP_LIMIT=100000000
export STRATA_RATE_LIMIT_POLICIES_SIGN_IN_ACCOUNT_FAILURES_LIMIT=100000000
echo "[bench] starting auth-service with embedded PostgreSQL and Redis (log: $LOG)"
setsid deploy/local/strata-local --only auth-service --no-build --fresh >"$LOG" 2>&1 &
LAUNCHER=$!
cleanup() {
  if kill -0 "$LAUNCHER" 2>/dev/null; then
    kill -TERM "$LAUNCHER" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$LAUNCHER" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$LAUNCHER" 2>/dev/null || true
  fi
}
trap cleanup EXIT INT TERM

for _ in $(seq 1 480); do
  grep -q "STRATA READY" "$LOG" && break
  if ! kill -0 "$LAUNCHER" 2>/dev/null; then echo "[bench] launcher exited:"; tail -40 "$LOG"; exit 1; fi
  sleep 0.5
done
grep -q "STRATA READY" "$LOG" || { echo "[bench] auth-service not ready in time"; tail -40 "$LOG"; exit 1; }

export BENCH_EMAIL="bench-$(date +%s)@strata.test"
export BENCH_PASSWORD="bench password for wrk"
curl -sf -X POST "$BASE/api/users" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\"}" >/dev/null
TOKEN="$(curl -sf -X POST "$BASE/api/sessions" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/')"
curl -sf "$BASE/api/sessions/current" -H "Authorization: Bearer $TOKEN" >/dev/null \
  || { echo "[bench] the seeded session does not work"; exit 1; }

run() { # name, wrk args...
  local name="$1"; shift
  wrk -t2 -c"$CONNS" -d"${BENCH_WARMUP:-10s}" "$@" >/dev/null 2>&1 || true   # warm-up: C2 needs ~10 s on 2 cores
  local out; out="$(wrk -t2 -c"$CONNS" -d"$DURATION" --latency "$@")"
  echo "$out" > "$LOG.$name"
  local rps p50 p99 errors
  rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
  p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
  p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
  errors="$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")"
  printf '%-34s %10s req/s   p50 %-9s p99 %-9s non-2xx %s\n' "$name" "$rps" "$p50" "$p99" "${errors:-0}"
  eval "RPS_$(tr -c 'A-Za-z0-9\n' _ <<<"$name" | tr a-z A-Z)=$rps"
}

echo
echo "auth-service benchmark: wrk -t2 -c$CONNS -d$DURATION, $(nproc) CPUs, argon2id m=19456 KiB t=2 p=1"
run plaintext "$BASE/api/auth/ping"
run session_check -H "Authorization: Bearer $TOKEN" "$BASE/api/sessions/current"
run sign_in --timeout 30s -s "$BENCH/signin.lua" "$BASE/api/sessions"
# server-side view: argon2 time per hash (excludes queueing for the bounded hash pool)
curl -sf "$BASE/q/metrics" | awk '/^strata_auth_password_hash_seconds_sum/ {s=$2} /^strata_auth_password_hash_seconds_count/ {c=$2}
  END { if (c > 0) printf "argon2id hashes: %d, mean %.0f ms each (server side)\n", c, 1000 * s / c }'
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg) (shared machine: figures are indicative)"
echo
awk -v p="$RPS_PLAINTEXT" -v s="$RPS_SESSION_CHECK" -v i="$RPS_SIGN_IN" 'BEGIN {
  printf "session check / plaintext = %.2f\n", s / p
  printf "sign-in / plaintext       = %.4f\n", i / p
  printf "sign-in / session check   = %.4f\n", i / s
}'
