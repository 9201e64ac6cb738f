#!/usr/bin/env bash
# End-to-end load run: admissionguard serve (JIT, and native AOT when it publishes) against two null webhooks,
# same machine, same run, same recorded reviews, HTTPS + HTTP/1.1 keep-alive:
#   null-uid   stops reading the review at request.uid (the cheapest possible answer);
#   null-read  tokenises the whole review with Utf8JsonReader, then answers (the least a webhook that must
#              find the images can do). The fixed-rate rows run at half of null-read's full-load rate.
# Writes the results table into docs/performance.md (between the load markers) and prints it.
#
#   tests/load/run.sh                 # defaults below; takes about 5 minutes plus builds
#   ROUNDS=6 SLICE=5s POLICIES=1000 AOT=0 tests/load/run.sh
#   BEFORE=/tmp/old/admissionguard AOT=0 tests/load/run.sh   # adds a row for another build, same run
#   AOT_BIN=/tmp/aot/admissionguard tests/load/run.sh        # the AOT row from a binary published beforehand
#   GARBAGE=3072 AOT=0 tests/load/run.sh                     # adds null-read allocating 3 KB per request
#   NULL_AOT=1 tests/load/run.sh                             # adds null-read published as native AOT, the AOT row's
#                                                            # own baseline (or NULL_AOT_BIN=PATH, published beforehand)
#
# Machines here are shared: compare the ratios of one run, not absolute figures across runs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="${WORK:-$(mktemp -d /tmp/admissionguard-load.XXXXXX)}"
SLICE="${SLICE:-5s}"
ROUNDS="${ROUNDS:-4}"
WARMUP="${WARMUP:-5s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-16}"
POLICIES="${POLICIES:-10}"
AOT="${AOT:-1}"
OUT="${OUT:-$ROOT/docs/performance.md}"
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

log() { echo "[load] $*" >&2; }
source "$ROOT/tests/load/fixtures.sh"
export REVIEWS THREADS CONNECTIONS  # reviews.lua reads them

if ! command -v wrk >/dev/null; then
  log "installing wrk"
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

log "building (Release) into $WORK"
dotnet build "$ROOT/src/AdmissionGuard/AdmissionGuard.csproj" -c Release -o "$WORK/jit" -v quiet -nologo >&2
dotnet build "$ROOT/tests/AdmissionGuard.LoadTests/NullWebhook/NullWebhook.csproj" -c Release -o "$WORK/null" -v quiet -nologo >&2

AOT_STATUS="not tried (AOT=0)"
AOT_BIN="${AOT_BIN:-}"
if [ -n "$AOT_BIN" ]; then
  # A native AOT binary published beforehand (the publish takes many minutes on a shared machine).
  AOT=1
  AOT_STATUS="published beforehand: $AOT_BIN"
elif [ "$AOT" = 1 ]; then
  AOT_BIN="$WORK/aot/admissionguard"
  if publish_aot src/AdmissionGuard "$WORK/aot"; then
    AOT_STATUS="published; $(grep -cE 'warning (IL|AOT)[0-9]+' "$WORK/aot.log" || true) AOT/trim warning lines (log: $WORK/aot.log)"
  else
    AOT_STATUS="publish failed (log: $WORK/aot.log)"
    AOT=0
  fi
fi
# The AOT row's own baseline: null-read compiled the same way, so that the ratio prices our code, not the compiler.
NULL_AOT_BIN="${NULL_AOT_BIN:-}"
if [ -z "$NULL_AOT_BIN" ] && [ "${NULL_AOT:-0}" = 1 ]; then
  publish_aot tests/AdmissionGuard.LoadTests/NullWebhook "$WORK/null-aot" && NULL_AOT_BIN="$WORK/null-aot/NullWebhook"
fi

# Fixtures: the benchmark policies, scans, POLICIES-1 team policies (shared with profile.sh).
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
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/$name.log" >&2; log "$name died (port $port taken?)"; exit 1; }
  sleep 2
  IDLE_KB="$(status_kb "$SERVER_PID" VmRSS)"
  log "$name ready in ${STARTUP_MS} ms, idle RSS ${IDLE_KB} kB"
}

# slice NAME RATE: one wrk run of SLICE against server NAME; appends "requests seconds p50 p99 p999 errors cpu_ticks"
# to $WORK/NAME-RATE.slices.
slice() {
  local name="$1" rate="$2" pid="${PID_OF[$1]}" port="${PORT_OF[$1]}" before after line
  before="$(cpu_ticks "$pid")"
  line="$(RATE="$rate" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$SLICE" --timeout 5s -s "$ROOT/tests/load/reviews.lua" "https://127.0.0.1:$port/validate" | grep '^RESULT')"
  after="$(cpu_ticks "$pid")"
  awk -v cpu="$((after - before))" '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    print v["requests"], v["seconds"], v["p50_ms"], v["p99_ms"], v["p999_ms"], v["errors"], cpu }' <<< "$line" >> "$WORK/$name-$rate.slices"
}

# aggregate FILE: "rps p50 p99 p999 cpu_us_per_request requests errors" over the slices: rates and CPU from the
# totals, each latency percentile the median of the slices' (a slice that met a burst of the machine's other
# work moves the median less than it would move a pooled percentile).
aggregate() {
  awk -v ticks="$TICKS" '
    function median(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    { n++; req += $1; sec += $2; p50[n] = $3; p99[n] = $4; p999[n] = $5; err += $6; cpu += $7 }
    END { printf "%.1f %.3f %.3f %.3f %d %d %d\n", req / sec, median(p50, n), median(p99, n), median(p999, n), (req ? cpu * 1e6 / ticks / req : 0), req, err }' "$1"
}

# Every server runs at once (idle but for the one under load) and the rows are measured in ROUNDS interleaved
# slices, the order rotating each round: the machine's other work then falls on every row alike, instead of on
# whichever row happened to run during someone's build.
declare -A PID_OF PORT_OF FULL HALF START IDLE PEAK
launch() {
  local name="$1" port="$2"; shift 2
  start "$name" "$port" "$@"
  PID_OF[$name]="$SERVER_PID"; PORT_OF[$name]="$port"; START[$name]="$STARTUP_MS"; IDLE[$name]="$IDLE_KB"
  for review in $REVIEWS; do
    curl -sk -H 'Content-Type: application/json' --data-binary "@$review" "https://127.0.0.1:$port/validate" | grep -q '"allowed":true' \
      || { log "$name does not allow $review"; exit 1; }
  done
}


port="$(free_port)"
launch null-uid "$port" "$WORK/null/NullWebhook" --listen "127.0.0.1:$port" --ca-dir "$WORK/ca-null"
port="$(free_port)"
launch null-read "$port" "$WORK/null/NullWebhook" --listen "127.0.0.1:$port" --ca-dir "$WORK/ca-null" --read-all
port="$(free_port)"
launch jit "$port" "$WORK/jit/admissionguard" serve --listen "127.0.0.1:$port" --policies "$WORK/policies" --scans "$WORK/scans" --ca-dir "$WORK/ca-jit"
MODES="null-uid null-read jit"
# GARBAGE=BYTES: one more row, null-read also allocating BYTES per request: what allocation alone costs a webhook.
if [ -n "${GARBAGE:-}" ]; then
  port="$(free_port)"
  launch null-garbage "$port" "$WORK/null/NullWebhook" --listen "127.0.0.1:$port" --ca-dir "$WORK/ca-null" --read-all --garbage "$GARBAGE"
  MODES="$MODES null-garbage"
fi
# BEFORE=PATH: one more row, another build of admissionguard (e.g. an older commit's), measured in the same run.
if [ -n "${BEFORE:-}" ]; then
  port="$(free_port)"
  launch before "$port" "$BEFORE" serve --listen "127.0.0.1:$port" --policies "$WORK/policies" --scans "$WORK/scans" --ca-dir "$WORK/ca-before"
  MODES="$MODES before"
fi
if [ "$AOT" = 1 ] && [ -n "$NULL_AOT_BIN" ]; then
  port="$(free_port)"
  launch null-read-aot "$port" "$NULL_AOT_BIN" --listen "127.0.0.1:$port" --ca-dir "$WORK/ca-null" --read-all
  MODES="$MODES null-read-aot"
fi
if [ "$AOT" = 1 ]; then
  port="$(free_port)"
  launch aot "$port" "$AOT_BIN" serve --listen "127.0.0.1:$port" --policies "$WORK/policies" --scans "$WORK/scans" --ca-dir "$WORK/ca-aot"
  MODES="$MODES aot"
fi

for m in $MODES; do
  RATE=0 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$ROOT/tests/load/reviews.lua" "https://127.0.0.1:${PORT_OF[$m]}/validate" > /dev/null
done

# rounds RATE: ROUNDS interleaved slices of every server at RATE (0 = full load).
rounds() {
  local rate="$1" order=($MODES) r i n=${#order[@]}
  for ((r = 0; r < ROUNDS; r++)); do
    for ((i = 0; i < n; i++)); do slice "${order[$(((i + r) % n))]}" "$rate"; done
  done
}

log "full load: $ROUNDS rounds of $SLICE per server"
rounds 0
for m in $MODES; do FULL[$m]="$(aggregate "$WORK/$m-0.slices")"; log "$m full load: ${FULL[$m]}"; done
RATE_HALF="$(awk '{printf "%d", $1 / 2}' <<< "${FULL[null-read]}")"
log "fixed rate $RATE_HALF/s: $ROUNDS rounds of $SLICE per server"
rounds "$RATE_HALF"
for m in $MODES; do HALF[$m]="$(aggregate "$WORK/$m-$RATE_HALF.slices")"; log "$m at $RATE_HALF/s: ${HALF[$m]}"; done
for m in $MODES; do PEAK[$m]="$(status_kb "${PID_OF[$m]}" VmHWM)"; done

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
  echo "wrk $THREADS threads, $CONNECTIONS keep-alive HTTPS connections, the four recorded reviews in turn to /validate; every server up at once, each row"
  echo "$ROUNDS slices of $SLICE interleaved with the other rows (order rotating), after a $WARMUP warm-up each; req/s and CPU from the totals, each latency"
  echo "percentile the median of the slices'."
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
  if [ -n "${FULL[null-read-aot]:-}" ] && [ -n "${FULL[aot]:-}" ]; then
    echo
    echo "aot ÷ null-read-aot (both native AOT): req/s at full load $(ratio "$(field "${FULL[aot]}" 1)" "$(field "${FULL[null-read-aot]}" 1)"), CPU per request $(ratio "$(field "${FULL[aot]}" 5)" "$(field "${FULL[null-read-aot]}" 5)"), p99 at half load $(ratio "$(field "${HALF[aot]}" 3)" "$(field "${HALF[null-read-aot]}" 3)")."
  fi
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
