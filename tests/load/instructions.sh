#!/usr/bin/env bash
# Instructions per request: admissionguard serve and the read-all null webhook, both native AOT, each under
# valgrind's callgrind, counting every user-space instruction the process executes (all threads; not the kernel's)
# while it answers REQUESTS reviews over one keep-alive HTTPS connection. Unlike the load run's requests per second
# this hardly moves with the machine's other work (five runs of the null webhook agreed to 0.26 %; what still
# varies is how many reads a body arrives in), and the function table says where a change went.
#
#   tests/load/instructions.sh                        # publishes both (about 10 minutes), then about 2 minutes
#   AOT_BIN=/tmp/aot/admissionguard NULL_AOT_BIN=/tmp/null-aot/NullWebhook tests/load/instructions.sh
#   REQUESTS=2000 WARMUP=400 ROWS=40 OUT=/tmp/instructions.md tests/load/instructions.sh
#
# Binaries given from outside need their symbol table for the function names (publish with -p:StripSymbols=false;
# the default publish moves symbols into a .dbg file, which valgrind cannot read); the totals need nothing. A
# recorded review is sent per request in turn, the four of run.sh, one at a time (no pipelining, so no batching of
# requests per wake-up either). Instructions are not time: a cache miss or a system call costs far more than an
# add. They price the work the code does, which is what a change to the code changes.
# Needs valgrind (Debian package), binutils (objcopy) and python3.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="${WORK:-$(mktemp -d /tmp/admissionguard-instructions.XXXXXX)}"
REQUESTS="${REQUESTS:-1000}"
WARMUP="${WARMUP:-400}"
ROWS="${ROWS:-25}"
log() { echo "[instructions] $*" >&2; }
source "$ROOT/tests/load/fixtures.sh"
for tool in valgrind callgrind_control objcopy python3; do
  command -v "$tool" > /dev/null || { log "$tool is missing (apt-get install valgrind binutils python3)"; exit 2; }
done

AOT_BIN="${AOT_BIN:-}"
NULL_AOT_BIN="${NULL_AOT_BIN:-}"
if [ -z "$AOT_BIN" ]; then
  publish_aot src/AdmissionGuard "$WORK/aot" -p:StripSymbols=false || { log "publish failed: $WORK/aot.log"; exit 1; }
  AOT_BIN="$WORK/aot/admissionguard"
fi
if [ -z "$NULL_AOT_BIN" ]; then
  publish_aot tests/AdmissionGuard.LoadTests/NullWebhook "$WORK/null-aot" -p:StripSymbols=false || { log "publish failed: $WORK/null-aot.log"; exit 1; }
  NULL_AOT_BIN="$WORK/null-aot/NullWebhook"
fi

write_fixtures "$WORK" 10
write_certificate "$WORK"

# measure NAME BINARY ARGS...: the binary under callgrind on $PORT; counters zeroed after WARMUP requests and dumped
# after REQUESTS more, into $WORK/NAME.callgrind.
measure() {
  local name="$1" binary="$2"; shift 2
  PORT="$(free_port)"
  # Idle thread pool workers spin before they sleep, for as long as the timing happens to let them (under valgrind,
  # the machine's load): without spinning, five runs of the null webhook agreed to 0.26 %; with it, two differed by 1.4 %.
  DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 under_callgrind "$name" "$binary" "$@" --listen "127.0.0.1:$PORT"
  wait_ready "$PORT" "$SERVER_PID" "$WORK/$name.log" 600
  log "$name ready after about $WAITED s under callgrind; $WARMUP requests to warm up, then $REQUESTS counted"
  # shellcheck disable=SC2086
  python3 "$ROOT/tests/load/keepalive.py" "$PORT" "$WARMUP" $REVIEWS
  callgrind_control -z "$SERVER_PID" > /dev/null
  # shellcheck disable=SC2086
  python3 "$ROOT/tests/load/keepalive.py" "$PORT" "$REQUESTS" $REVIEWS
  callgrind_control -d "$SERVER_PID" > /dev/null
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || true
  mv "$WORK/$name.cg.1" "$WORK/$name.callgrind"
}

measure null-read-aot "$NULL_AOT_BIN" --ca-dir "$WORK/ca-null" --read-all
measure admissionguard "$AOT_BIN" serve --policies "$WORK/policies" --scans "$WORK/scans" --tls-cert "$WORK/tls.crt" --tls-key "$WORK/tls.key"

{
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ): $REQUESTS requests after $WARMUP to warm up, the four recorded reviews in turn, 10 policies."
  echo
  python3 "$ROOT/tests/load/instructions.py" "$WORK/admissionguard.callgrind" "$WORK/null-read-aot.callgrind" "$REQUESTS" "$ROWS"
} | tee "${OUT:-$WORK/instructions.md}"
log "written to ${OUT:-$WORK/instructions.md}; the dumps are in $WORK (callgrind_annotate FILE)"
