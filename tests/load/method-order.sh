#!/usr/bin/env bash
# Records which managed methods the native AOT server runs, and writes them as the compiler's order file, so that the
# next AOT publish places them together at the start of the binary's code (IlcOrderFile in AdmissionGuard.csproj).
# A start touches about 7,000 of the binary's 80,000 methods, 2.3 MB of its 18 MB of code; placed where the compiler
# puts them by default they were spread over 168 windows of 64 KiB (the kernel maps the pages around each fault), so
# 11.7 MiB of code was resident at idle. Regenerate after changes that move the start or the admission path:
#
#   dotnet publish src/AdmissionGuard -c Release -r linux-x64 -p:PublishAot=true -o /tmp/aot
#   tests/load/method-order.sh /tmp/aot/admissionguard          # writes src/AdmissionGuard/Aot/method-order.txt
#
# The run: the server under valgrind's callgrind (every executed instruction's address; about 40x slower), with the
# benchmark policies and certificate files as in startup.sh, then /readyz, each recorded review to /validate and
# /mutate, /metrics and /healthz, then SIGTERM. Needs valgrind and binutils (Debian), and BINARY.dbg next to the binary
# (the publish writes it). valgrind cannot reserve server GC's address space, so the run uses workstation GC with a
# 512 MiB limit; the GC is native code, which the order file does not cover anyway.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${1:?usage: method-order.sh PATH/TO/admissionguard [OUT]}"
OUT="${2:-$ROOT/src/AdmissionGuard/Aot/method-order.txt}"
WORK="${WORK:-$(mktemp -d /tmp/admissionguard-order.XXXXXX)}"
log() { echo "[method-order] $*" >&2; }
for tool in valgrind objcopy nm readelf; do
  command -v "$tool" > /dev/null || { log "$tool is missing: apt-get install valgrind binutils"; exit 2; }
done
[ -f "$BIN.dbg" ] || { log "$BIN.dbg is missing: give a binary from dotnet publish -p:PublishAot=true"; exit 2; }

source "$ROOT/tests/load/fixtures.sh"
write_fixtures "$WORK" 10
write_certificate "$WORK"
PORT="${PORT:-$(free_port)}"
# The binary runs without its .dbg file, which valgrind cannot read; the method symbols come from nm of the .dbg.
CALLGRIND_OPTIONS=--dump-instr=yes under_callgrind admissionguard "$BIN" serve --listen "127.0.0.1:$PORT" \
  --policies "$WORK/policies" --scans "$WORK/scans" --tls-cert "$WORK/tls.crt" --tls-key "$WORK/tls.key"
trap 'kill "$SERVER_PID" 2>/dev/null || true' EXIT
wait_ready "$PORT" "$SERVER_PID" "$WORK/admissionguard.log" 300
log "ready after about $WAITED s under callgrind"
for review in "$REVIEW_DIR"/*.json; do
  for endpoint in validate mutate; do
    code="$(curl -sk -H 'Content-Type: application/json' --data-binary "@$review" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$PORT/$endpoint")"
    [ "$code" = 200 ] || { log "$endpoint $(basename "$review"): HTTP $code"; exit 1; }
  done
done
curl -sk -o /dev/null "https://127.0.0.1:$PORT/metrics"
curl -sk -o /dev/null "https://127.0.0.1:$PORT/healthz"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || true
trap - EXIT

mkdir -p "$(dirname "$OUT")"
python3 "$ROOT/tests/load/method-order.py" "$WORK/admissionguard.cg" "$WORK/exe/admissionguard" "$BIN.dbg" > "$OUT"
log "wrote $OUT"
