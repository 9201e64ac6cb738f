#!/usr/bin/env bash
# GC bytes allocated per request, end to end (Kestrel, TLS, routing, the handler, metrics): admissionguard serve
# answers WARMUP then REQUESTS reviews over one keep-alive HTTPS connection, the four recorded reviews in turn, and
# the runtime's own counter (dotnet.gc.heap.total_allocated, on /metrics) is read before and after the counted ones.
# The BenchmarkDotNet figures (docs/performance.md) are the handler's alone; this is what the whole server allocates.
#
#   tests/load/allocations.sh                              # builds the JIT server (Release)
#   BIN=/tmp/aot/admissionguard tests/load/allocations.sh  # any build, e.g. native AOT or an older commit's
#
# One /metrics scrape falls inside the counted requests (a few bytes per request at the default 4,000).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="${WORK:-$(mktemp -d /tmp/admissionguard-allocations.XXXXXX)}"
REQUESTS="${REQUESTS:-4000}"
WARMUP="${WARMUP:-2000}"
log() { echo "[allocations] $*" >&2; }
source "$ROOT/tests/load/fixtures.sh"

BIN="${BIN:-}"
if [ -z "$BIN" ]; then
  log "building (Release) into $WORK/jit"
  dotnet build "$ROOT/src/AdmissionGuard/AdmissionGuard.csproj" -c Release -o "$WORK/jit" -v quiet -nologo >&2
  BIN="$WORK/jit/admissionguard"
fi
write_fixtures "$WORK" 10
write_certificate "$WORK"
PORT="$(free_port)"
"$BIN" serve --listen "127.0.0.1:$PORT" --policies "$WORK/policies" --scans "$WORK/scans" \
  --tls-cert "$WORK/tls.crt" --tls-key "$WORK/tls.key" > "$WORK/server.log" 2>&1 < /dev/null &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true' EXIT
wait_ready "$PORT" "$SERVER_PID" "$WORK/server.log" 60

allocated() {
  curl -sk "https://127.0.0.1:$PORT/metrics" | awk '$1 ~ /^dotnet_gc_heap_total_allocated_bytes/ {print $2}'
}
# shellcheck disable=SC2086
python3 "$ROOT/tests/load/keepalive.py" "$PORT" "$WARMUP" $REVIEWS
before="$(allocated)"
# shellcheck disable=SC2086
python3 "$ROOT/tests/load/keepalive.py" "$PORT" "$REQUESTS" $REVIEWS
after="$(allocated)"
[ -n "$before" ] && [ -n "$after" ] || { log "no dotnet_gc_heap_total_allocated_bytes on /metrics"; exit 1; }
python3 -c "print(f'$BIN: {($after - $before) / $REQUESTS:,.0f} bytes allocated per request ($REQUESTS requests)')"
