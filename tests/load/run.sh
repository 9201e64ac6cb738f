#!/usr/bin/env bash
# End-to-end load run: admissionguard serve (JIT, and native AOT when it publishes) against two null webhooks,
# same machine, same run, same recorded reviews, HTTPS + HTTP/1.1 keep-alive:
#   null-uid   stops reading the review at request.uid (the cheapest possible answer);
#   null-read  tokenises the whole review with Utf8JsonReader, then answers (the least a webhook that must
#              find the images can do). The fixed-rate rows run at half of null-read's full-load rate.
# Writes the results table into docs/performance.md (between the load markers) and prints it.
#
#   tests/load/run.sh                 # defaults below; takes about 5 minutes plus builds
#   DURATION=10s POLICIES=1000 AOT=0 tests/load/run.sh
#
# Machines here are shared: compare the ratios of one run, not absolute figures across runs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="${WORK:-$(mktemp -d /tmp/admissionguard-load.XXXXXX)}"
DURATION="${DURATION:-20s}"
WARMUP="${WARMUP:-5s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-16}"
POLICIES="${POLICIES:-10}"
AOT="${AOT:-1}"
OUT="${OUT:-$ROOT/docs/performance.md}"
REVIEW_DIR="$ROOT/tests/AdmissionGuard.Benchmarks/Reviews"
REVIEWS="$REVIEW_DIR/pod-1-create.json $REVIEW_DIR/pod-3-create.json $REVIEW_DIR/pod-8-create.json $REVIEW_DIR/pod-8-update.json"
export REVIEWS THREADS CONNECTIONS
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

log() { echo "[load] $*" >&2; }

if ! command -v wrk >/dev/null; then
  log "installing wrk"
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

log "building (Release) into $WORK"
dotnet build "$ROOT/src/AdmissionGuard/AdmissionGuard.csproj" -c Release -o "$WORK/jit" -v quiet -nologo >&2
dotnet build "$ROOT/tests/AdmissionGuard.LoadTests/NullWebhook/NullWebhook.csproj" -c Release -o "$WORK/null" -v quiet -nologo >&2
AOT_STATUS="not tried (AOT=0)"
if [ "$AOT" = 1 ]; then
  # Published from a copy so the worktree's obj/ (and so its normal build) is untouched by the RID restore.
  mkdir -p "$WORK/aot-src"
  cp -r "$ROOT/src" "$ROOT/Directory.Build.props" "$ROOT/Directory.Packages.props" "$ROOT/global.json" "$WORK/aot-src/"
  rm -rf "$WORK"/aot-src/src/*/bin "$WORK"/aot-src/src/*/obj
  log "publishing native AOT (slow)"
  if dotnet publish "$WORK/aot-src/src/AdmissionGuard" -c Release -r linux-x64 -p:PublishAot=true -o "$WORK/aot" -nologo > "$WORK/aot-publish.log" 2>&1; then
    AOT_STATUS="published; $(grep -cE 'warning (IL|AOT)[0-9]+' "$WORK/aot-publish.log" || true) AOT/trim warning lines (log: $WORK/aot-publish.log)"
  else
    AOT_STATUS="publish failed (log: $WORK/aot-publish.log)"
    AOT=0
  fi
fi

# Fixtures: the benchmark policies, scans, POLICIES-1 team policies (shared with profile.sh).
source "$ROOT/tests/load/fixtures.sh"
write_fixtures "$WORK" "$POLICIES"

TICKS="$(getconf CLK_TCK)"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

# start NAME PORT CMD...: starts a server, sets SERVER_PID, STARTUP_MS (exec to /readyz 200) and IDLE_KB.
start() {
  local name="$1" port="$2"; shift 2
  local t0; t0="$(date +%s%N)"
  "$@" > "$WORK/$name.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  until [ "$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/readyz" || true)" = 200 ]; do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/$name.log" >&2; log "$name died"; exit 1; }
    sleep 0.005
  done
  STARTUP_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
  sleep 2
  IDLE_KB="$(status_kb "$SERVER_PID" VmRSS)"
  log "$name ready in ${STARTUP_MS} ms, idle RSS ${IDLE_KB} kB"
}

# measure PORT RATE: one wrk run; prints "rps p50 p99 p999 cpu_us_per_request requests errors".
measure() {
  local port="$1" rate="$2" before after line
  before="$(cpu_ticks "$SERVER_PID")"
  line="$(RATE="$rate" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 5s -s "$ROOT/tests/load/reviews.lua" "https://127.0.0.1:$port/validate" | grep '^RESULT')"
  after="$(cpu_ticks "$SERVER_PID")"
  local requests; requests="$(sed -E 's/.*requests=([0-9]+).*/\1/' <<< "$line")"
  local cpu_us=$(( (after - before) * 1000000 / TICKS / (requests > 0 ? requests : 1) ))
  awk -v cpu="$cpu_us" '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    print v["rps"], v["p50_ms"], v["p99_ms"], v["p999_ms"], cpu, v["requests"], v["errors"] }' <<< "$line"
}

# run NAME PORT CMD...: start, check, warm up, full load, fixed rate (RATE_HALF, set by the first row), stop.
declare -A FULL HALF START IDLE PEAK
run() {
  local name="$1" port="$2"; shift 2
  start "$name" "$port" "$@"
  for review in $REVIEWS; do
    curl -sk -H 'Content-Type: application/json' --data-binary "@$review" "https://127.0.0.1:$port/validate" | grep -q '"allowed":true' \
      || { log "$name does not allow $review"; exit 1; }
  done
  RATE=0 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$ROOT/tests/load/reviews.lua" "https://127.0.0.1:$port/validate" > /dev/null
  FULL[$name]="$(measure "$port" 0)"
  log "$name full load: ${FULL[$name]}"
  if [ -z "${RATE_HALF:-}" ]; then RATE_HALF="$(awk '{printf "%d", $1 / 2}' <<< "${FULL[$name]}")"; fi
  HALF[$name]="$(measure "$port" "$RATE_HALF")"
  log "$name at $RATE_HALF/s: ${HALF[$name]}"
  START[$name]="$STARTUP_MS"; IDLE[$name]="$IDLE_KB"; PEAK[$name]="$(status_kb "$SERVER_PID" VmHWM)"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
}

RATE_HALF=""
run null-read 18445 "$WORK/null/NullWebhook" --listen 127.0.0.1:18445 --ca-dir "$WORK/ca-null" --read-all
run null-uid 18444 "$WORK/null/NullWebhook" --listen 127.0.0.1:18444 --ca-dir "$WORK/ca-null"
SERVE=(serve --listen 127.0.0.1:18443 --policies "$WORK/policies" --scans "$WORK/scans" --ca-dir "$WORK/ca")
run jit 18443 "$WORK/jit/admissionguard" "${SERVE[@]}"
MODES="null-uid null-read jit"
if [ "$AOT" = 1 ]; then
  run aot 18443 "$WORK/aot/admissionguard" "${SERVE[@]}"
  MODES="null-uid null-read jit aot"
fi

# Markdown.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f", a / b }'; }
field() { awk -v n="$2" '{print $n}' <<< "$1"; }
table() {
  local -n data="$1"
  echo "| server | req/s | p50 ms | p99 ms | p99.9 ms | CPU µs/req | requests | errors | req/s ÷ null-uid | req/s ÷ null-read | p99 ÷ null-uid | p99 ÷ null-read | CPU ÷ null-uid | CPU ÷ null-read |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for m in $MODES; do
    local d="${data[$m]}" u="${data[null-uid]}" r="${data[null-read]}"
    echo "| $m | $(field "$d" 1) | $(field "$d" 2) | $(field "$d" 3) | $(field "$d" 4) | $(field "$d" 5) | $(field "$d" 6) | $(field "$d" 7)" \
      "| $(ratio "$(field "$d" 1)" "$(field "$u" 1)") | $(ratio "$(field "$d" 1)" "$(field "$r" 1)")" \
      "| $(ratio "$(field "$d" 3)" "$(field "$u" 3)") | $(ratio "$(field "$d" 3)" "$(field "$r" 3)")" \
      "| $(ratio "$(field "$d" 5)" "$(field "$u" 5)") | $(ratio "$(field "$d" 5)" "$(field "$r" 5)") |"
  done
}
{
  echo "<!-- load:begin (written by tests/load/run.sh) -->"
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), load average at end $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "wrk $THREADS threads, $CONNECTIONS keep-alive HTTPS connections, $DURATION per row after a $WARMUP warm-up, the four recorded reviews in turn to /validate;"
  echo "$POLICIES policies (production applies, the rest are team policies that do not), 8 scans. wrk runs on the same cores as the server."
  echo
  echo "**Full load**"
  echo
  table FULL
  echo
  echo "**Fixed rate: $RATE_HALF req/s** (half of null-read's full-load rate, held by a per-thread send schedule in the wrk Lua script; achieved rate shown)"
  echo
  table HALF
  echo
  echo "| server | startup to /readyz 200 (ms) | idle RSS (MiB) | peak RSS, VmHWM (MiB) |"
  echo "| --- | ---: | ---: | ---: |"
  for m in $MODES; do
    echo "| $m | ${START[$m]} | $(awk -v k="${IDLE[$m]}" 'BEGIN{printf "%.1f", k/1024}') | $(awk -v k="${PEAK[$m]}" 'BEGIN{printf "%.1f", k/1024}') |"
  done
  echo
  echo "AOT: $AOT_STATUS"
  echo "<!-- load:end -->"
} > "$WORK/results.md"

cat "$WORK/results.md"
if [ -f "$OUT" ] && grep -q '<!-- load:begin' "$OUT"; then
  awk -v f="$WORK/results.md" '/<!-- load:begin/ { while ((getline l < f) > 0) print l; skip = 1; next } /<!-- load:end -->/ { skip = 0; next } !skip' "$OUT" > "$OUT.tmp"
  mv "$OUT.tmp" "$OUT"
else
  { echo "# Performance"; echo; cat "$WORK/results.md"; } >> "$OUT"
fi
log "results written to $OUT"
