#!/usr/bin/env bash
# Session check vs plaintext on auth-service, in alternating rounds (ratios from the same round), wrk -t2 -c32.
# Needs auth-service and deploy/local packaged (./mvnw -o -pl testing,platform,auth-service,deploy/local package
# -DskipTests; no install). ROUNDS=3 D=8s platform/bench/session-check-rounds.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"; cd "$ROOT"
BASE=http://127.0.0.1:8081; ROUNDS="${ROUNDS:-3}"; D="${D:-8s}"
LOG="$(mktemp -t strata-session-bench.XXXXXX)"
setsid deploy/local/strata-local --only auth-service --no-build --fresh --data-dir "$(mktemp -d -t strata-session-bench.XXXXXX)" >"$LOG" 2>&1 &
L=$!
cleanup() { kill -TERM "$L" 2>/dev/null || true; for _ in $(seq 1 60); do kill -0 "$L" 2>/dev/null || break; sleep 0.5; done; kill -KILL "$L" 2>/dev/null || true; }
trap cleanup EXIT INT TERM
for _ in $(seq 1 480); do grep -q "STRATA READY" "$LOG" && break; kill -0 "$L" 2>/dev/null || { tail -40 "$LOG"; exit 1; }; sleep 0.5; done
E="bench-$(date +%s)@strata.test"; P="bench password for wrk"
curl -sf -X POST "$BASE/api/users" -H 'Content-Type: application/json' -d "{\"email\":\"$E\",\"password\":\"$P\"}" >/dev/null
T="$(curl -sf -X POST "$BASE/api/sessions" -H 'Content-Type: application/json' -d "{\"email\":\"$E\",\"password\":\"$P\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/')"
curl -sf "$BASE/api/sessions/current" -H "Authorization: Bearer $T"; echo
one() { local out; out="$(wrk -t2 -c32 -d"$D" --latency "$@")"; echo "$(awk '/^Requests\/sec:/ {print $2}' <<<"$out") $(awk '$1=="50%" {print $2}' <<<"$out") $(awk '$1=="99%" {print $2}' <<<"$out") non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")"; }
wrk -t2 -c32 -d10s "$BASE/api/auth/ping" >/dev/null; wrk -t2 -c32 -d10s -H "Authorization: Bearer $T" "$BASE/api/sessions/current" >/dev/null
for i in $(seq 1 "$ROUNDS"); do
  p=$(one "$BASE/api/auth/ping"); s=$(one -H "Authorization: Bearer $T" "$BASE/api/sessions/current")
  echo "round $i plaintext: $p | session: $s | ratio $(awk -v a="${p%% *}" -v b="${s%% *}" 'BEGIN{printf "%.2f", b/a}') | load $(cut -d' ' -f1 /proc/loadavg)"
done
