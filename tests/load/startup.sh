#!/usr/bin/env bash
# Start-to-ready and idle memory of one admissionguard binary (JIT or native AOT), with given certificate files:
#   - RUNS starts with --tls-cert/--tls-key and the benchmark policies (10 policies, 8 scans): exec to the first
#     /readyz 200 (tests/load/ready.py: a TCP connect per millisecond, then HTTPS), and VmRSS 2 s later (idle); each
#     with this machine's trust store and, interleaved, with the CA bundle alone, which is what the image has;
#   - one start with SCANS ImageScans (default 100,000; each its own image and digest): ready time, idle VmRSS, and
#     VmHWM after a burst of admissions (the peak, loading included).
# Prints a Markdown table; nothing here is a pass/fail test. Shares fixtures with run.sh.
#
#   tests/load/startup.sh /tmp/aot/admissionguard
#   RUNS=9 SCANS=1000000 tests/load/startup.sh /tmp/aot/admissionguard
#   DOTNET_GCgen0size=0x400000 tests/load/startup.sh /tmp/aot/admissionguard   # runtime GC settings pass through
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${1:?usage: startup.sh PATH/TO/admissionguard}"
WORK="${WORK:-$(mktemp -d /tmp/admissionguard-startup.XXXXXX)}"
RUNS="${RUNS:-5}"
SCANS="${SCANS:-100000}"
SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true' EXIT

log() { echo "[startup] $*" >&2; }
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

source "$ROOT/tests/load/fixtures.sh"
write_fixtures "$WORK" 10
write_certificate "$WORK"

# The image's trust store is the CA bundle alone (its ca-certificates slice has no hashed folder); a Debian host's
# /etc/ssl/certs holds each certificate twice more, and the serving certificate's chain build loads all of it.
BUNDLE="${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}"
if [ -f "$BUNDLE" ]; then mkdir -p "$WORK/bundle" && cp "$BUNDLE" "$WORK/bundle/ca-certificates.crt"; fi

# run SCANDIR [bundle]: starts the server (with the bundle alone as its trust store when asked), sets READY_MS,
# READY_CPU_MS and IDLE_KB, leaves it running as SERVER_PID on PORT.
run() {
  PORT="$(free_port)"
  local started trust=()
  [ "${2:-}" = bundle ] && trust=(env SSL_CERT_DIR="$WORK/bundle" SSL_CERT_FILE="$WORK/bundle/ca-certificates.crt")
  started="$("${trust[@]}" python3 "$ROOT/tests/load/ready.py" "$PORT" "$WORK/server.log" "$BIN" serve --listen "127.0.0.1:$PORT" --policies "$WORK/policies" --scans "$1" --tls-cert "$WORK/tls.crt" --tls-key "$WORK/tls.key")" \
    || { cat "$WORK/server.log" >&2; log "server died"; exit 1; }
  read -r READY_MS SERVER_PID <<< "$started"
  # CPU time to ready depends far less on the machine's other work than the wall clock does.
  READY_CPU_MS="$(awk -v t="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / t) }' "/proc/$SERVER_PID/stat")"
  sleep 2
  IDLE_KB="$(status_kb "$SERVER_PID" VmRSS)"
}

# Not this shell's child (ready.py started it): wait for it by polling.
stop() { kill "$SERVER_PID"; while kill -0 "$SERVER_PID" 2>/dev/null; do sleep 0.05; done; SERVER_PID=""; }

: > "$WORK/ready" && : > "$WORK/cpu" && : > "$WORK/idle" && : > "$WORK/ready-bundle" && : > "$WORK/cpu-bundle" && : > "$WORK/idle-bundle"
for ((i = 0; i < RUNS; i++)); do
  run "$WORK/scans"
  echo "$READY_MS" >> "$WORK/ready"; echo "$READY_CPU_MS" >> "$WORK/cpu"; echo "$IDLE_KB" >> "$WORK/idle"
  log "run $i: ready in $READY_MS ms ($READY_CPU_MS ms CPU), idle VmRSS $IDLE_KB kB"
  stop
  # Interleaved, so that both trust layouts see the same machine.
  if [ -d "$WORK/bundle" ]; then
    run "$WORK/scans" bundle
    echo "$READY_MS" >> "$WORK/ready-bundle"; echo "$READY_CPU_MS" >> "$WORK/cpu-bundle"; echo "$IDLE_KB" >> "$WORK/idle-bundle"
    log "run $i, the bundle alone: ready in $READY_MS ms ($READY_CPU_MS ms CPU), idle VmRSS $IDLE_KB kB"
    stop
  fi
done

# SCANS ImageScans, one per image, 10,000 to a file (a file may not exceed 16 MiB).
mkdir -p "$WORK/many"
cp "$WORK/scans/scans.yaml" "$WORK/many/"
now="$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)"
awk -v n="$SCANS" -v now="$now" -v dir="$WORK/many" 'BEGIN { for (i = 0; i < n; i++) { out = sprintf("%s/generated-%03d.yaml", dir, int(i / 10000));
  d = sprintf("%064x", i); printf "apiVersion: admissionguard.io/v1alpha1\nkind: ImageScan\nmetadata: {name: scan-%d}\nspec:\n  image: registry.example.com/team-%d/app-%d:1.%d\n  digest: sha256:%s\n  scanner: {name: trivy, version: \"0.58.0\"}\n  scannedAt: \"%s\"\n  vulnerabilities: {critical: 0, high: %d, medium: 3, low: 12, unknown: 0}\n  fixable: {critical: 0, high: 0}\n---\n", i, i % 100, i, i % 7, d, now, i % 3 > out } }'
run "$WORK/many"
many_ready="$READY_MS"; many_cpu="$READY_CPU_MS"; many_idle="$IDLE_KB"
for review in "$ROOT"/tests/AdmissionGuard.Benchmarks/Reviews/pod-*.json; do
  for ((i = 0; i < 50; i++)); do
    curl -sk -H 'Content-Type: application/json' --data-binary "@$review" "https://127.0.0.1:$PORT/validate" -o /dev/null
  done
done
many_peak="$(status_kb "$SERVER_PID" VmHWM)"
stop

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
echo "Binary $BIN, $(nproc) cores, load average at end $(cut -d' ' -f1-3 /proc/loadavg); settings from the environment: $(env | grep -E '^DOTNET_GC|^SSL_CERT' | tr '\n' ' ' || true)"
echo
echo "| case | start to /readyz 200 (ms) | CPU time to ready (ms) | idle VmRSS (MiB) | peak VmHWM (MiB) |"
echo "| --- | ---: | ---: | ---: | ---: |"
echo "| certificate files, 10 policies, 8 scans (median of $RUNS; min $(sort -n "$WORK/ready" | head -1) ms) | $(median < "$WORK/ready") | $(median < "$WORK/cpu") | $(mib "$(median < "$WORK/idle")") | — |"
if [ -s "$WORK/ready-bundle" ]; then
  echo "| the same with the image's trust store, the CA bundle alone (median of $RUNS; min $(sort -n "$WORK/ready-bundle" | head -1) ms) | $(median < "$WORK/ready-bundle") | $(median < "$WORK/cpu-bundle") | $(mib "$(median < "$WORK/idle-bundle")") | — |"
fi
echo "| the same with $SCANS more ImageScans (one start) | $many_ready | $many_cpu | $(mib "$many_idle") | $(mib "$many_peak") |"

# The method order file only helps where its names are still the binary's (a rename or a new overload drops one).
ORDER="$ROOT/src/AdmissionGuard/Aot/method-order.txt"
if [ -f "$BIN.dbg" ] && [ -f "$ORDER" ]; then
  found="$(nm --defined-only "$BIN.dbg" | awk 'NR == FNR { want[$1]; next } ($3 in want) && !seen[$3]++ { n++ } END { print n + 0 }' "$ORDER" -)"
  echo
  echo "Method order file: $found of $(grep -c . "$ORDER") names are methods of this binary (regenerate with tests/load/method-order.sh when many are not)."
fi
