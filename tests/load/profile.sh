#!/usr/bin/env bash
# Profiles admissionguard serve (JIT) under the load run's full load: perf record (cpu-clock, call graphs), with
# the runtime's perf map so JIT-compiled frames have names, folded by FlameGraph into an SVG, and the samples
# split by request stage (stages.awk). Needs linux-perf (Debian) and a FlameGraph checkout
# (github.com/brendangregg/FlameGraph: stackcollapse-perf.pl and flamegraph.pl).
#
#   FLAMEGRAPH=/path/to/FlameGraph tests/load/profile.sh docs/flame-before.svg
#   DURATION=20s POLICIES=10 FLAMEGRAPH=... tests/load/profile.sh OUT.svg
#
# Prints the stage table (share of on-CPU samples and microseconds per request). Timings move with the load of
# the machine; the shares are what to compare between runs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT_SVG="${1:?usage: profile.sh OUT.svg}"
WORK="${WORK:-$(mktemp -d /tmp/admissionguard-profile.XXXXXX)}"
DURATION="${DURATION:-20}"
DURATION="${DURATION%s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-16}"
POLICIES="${POLICIES:-10}"
FREQ="${FREQ:-499}"
PORT="${PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
FLAMEGRAPH="${FLAMEGRAPH:?set FLAMEGRAPH to a FlameGraph checkout (stackcollapse-perf.pl, flamegraph.pl)}"
SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true' EXIT
log() { echo "[profile] $*" >&2; }

command -v perf >/dev/null || { log "installing linux-perf"; apt-get install -y -qq linux-perf >/dev/null; }
command -v wrk >/dev/null || { log "installing wrk"; apt-get install -y -qq wrk >/dev/null; }

log "building (Release) into $WORK"
dotnet build "$ROOT/src/AdmissionGuard/AdmissionGuard.csproj" -c Release -o "$WORK/jit" -v quiet -nologo >&2
source "$ROOT/tests/load/fixtures.sh"
export REVIEWS THREADS CONNECTIONS  # reviews.lua reads them
write_fixtures "$WORK" "$POLICIES"

# The perf map (/tmp/perf-PID.map) names JIT-compiled methods; tiered compilation settles during the warm-up.
# W^X off: with it on, JIT code runs from a double mapping that perf cannot match with the map's addresses.
# ReadyToRun off: precompiled framework code has no perf map entries, so it would show as "[System.Text.Json.dll]";
# jitted instead, every hot method is named (tiered compilation recompiles hot code either way).
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_ReadyToRun=0 "$WORK/jit/admissionguard" serve --listen "127.0.0.1:$PORT" --policies "$WORK/policies" \
  --scans "$WORK/scans" --ca-dir "$WORK/ca" > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
until [ "$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$PORT/readyz" || true)" = 200 ]; do
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; log "server died"; exit 1; }
  sleep 0.05
done
for review in $REVIEWS; do
  curl -sk -H 'Content-Type: application/json' --data-binary "@$review" "https://127.0.0.1:$PORT/validate" | grep -q '"allowed":true' \
    || { log "server does not allow $review"; exit 1; }
done
log "warming up (30 s: tiered compilation settles)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d30s -s "$ROOT/tests/load/reviews.lua" "https://127.0.0.1:$PORT/validate" > /dev/null

log "recording ${DURATION}s at full load"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$((DURATION + 2))s" -s "$ROOT/tests/load/reviews.lua" "https://127.0.0.1:$PORT/validate" > "$WORK/wrk.txt" &
WRK_PID=$!
sleep 1
perf record -e cpu-clock -F "$FREQ" -g -p "$SERVER_PID" -o "$WORK/perf.data" -- sleep "$DURATION" 2> "$WORK/perf-record.log"
wait "$WRK_PID"
REQUESTS="$(grep '^RESULT' "$WORK/wrk.txt" | sed -E 's/.*requests=([0-9]+).*/\1/')"
SECONDS_RUN="$(grep '^RESULT' "$WORK/wrk.txt" | sed -E 's/.*seconds=([0-9.]+).*/\1/')"

perf script -i "$WORK/perf.data" 2> /dev/null > "$WORK/perf.txt"
"$FLAMEGRAPH/stackcollapse-perf.pl" "$WORK/perf.txt" > "$WORK/folded.txt"
"$FLAMEGRAPH/flamegraph.pl" --title "admissionguard serve, full load ($(date -u +%Y-%m-%d), $POLICIES policies, 4 recorded reviews)" \
  --width 1600 --minwidth 0.2 "$WORK/folded.txt" > "$OUT_SVG"
log "flame graph: $OUT_SVG (folded stacks: $WORK/folded.txt)"

# Requests served while perf recorded: wrk's rate times the recorded seconds.
RECORDED="$(awk -v r="$REQUESTS" -v s="$SECONDS_RUN" -v d="$DURATION" 'BEGIN { printf "%d", r / s * d }')"
awk -v requests="$RECORDED" -f "$ROOT/tests/load/stages.awk" "$WORK/folded.txt"
echo "($RECORDED requests in ${DURATION}s of recording, $(grep '^RESULT' "$WORK/wrk.txt" | sed -E 's/.*rps=([0-9.]+).*/\1/') req/s; load average $(cut -d' ' -f1-3 /proc/loadavg); $POLICIES policies)"
