#!/usr/bin/env bash
# Soak: admissionguard serve (Release, local mode on manifests/examples) at about half of measured
# capacity for MINUTES minutes (default 30), with a mix of allowed, denied, warned and mutated reviews.
# Reports invalid answers and socket errors, p99 drift (first vs last minute) and RSS growth.
# Not run in CI. Usage: tests/soak/run.sh [MINUTES]
set -euo pipefail
MINUTES=${1:-30}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/tests/soak"
WORK=$(mktemp -d /tmp/ag-soak.XXXXXX)
PORT=${SOAK_PORT:-18443}
CONNECTIONS=${SOAK_CONNECTIONS:-8}

command -v wrk >/dev/null || { echo "installing wrk"; sudo apt-get install -y wrk >/dev/null; }

# SOAK_AOT=1 soaks the native AOT executable (what the Dockerfile ships) instead of the JIT build.
if [[ "${SOAK_AOT:-0}" == 1 ]]; then
  echo "== native AOT publish (from a copy of src/, so the worktree's build is untouched)"
  mkdir -p "$WORK/aot-src"
  cp -r "$ROOT/src" "$ROOT/Directory.Build.props" "$ROOT/Directory.Packages.props" "$ROOT/global.json" "$WORK/aot-src/"
  rm -rf "$WORK"/aot-src/src/*/bin "$WORK"/aot-src/src/*/obj
  dotnet publish "$WORK/aot-src/src/AdmissionGuard" -c Release -r linux-x64 -p:PublishAot=true -o "$WORK/aot" -nologo >"$WORK/aot-publish.log" 2>&1 \
    || { tail -20 "$WORK/aot-publish.log"; exit 1; }
  SERVE_CMD=("$WORK/aot/admissionguard")
else
  echo "== Release build"
  dotnet build "$ROOT/src/AdmissionGuard" -c Release -warnaserror -v quiet -nologo >/dev/null
  SERVE_CMD=(dotnet "$ROOT/src/AdmissionGuard/bin/Release/net10.0/admissionguard.dll")
fi

echo "== reviews"
python3 - "$ROOT" "$WORK" <<'PY'
import json, sys, copy
root, work = sys.argv[1], sys.argv[2]
base = json.load(open(f"{root}/manifests/examples/reviews/pod-denied.json"))
def write(name, ns, images, kind="Pod"):
    r = copy.deepcopy(base)
    req = r["request"]; obj = req["object"]
    req["namespace"] = obj["metadata"]["namespace"] = ns
    obj["spec"] = {"containers": [{"name": f"c{i}", "image": im} for i, im in enumerate(images)]}
    json.dump(r, open(f"{work}/{name}.json", "w"))
write("allowed", "prod", ["dhi.io/nginx:1.25"])
write("denied", "prod", ["quay.io/evil/miner:1.0", "busybox"])
write("warned", "dev", ["ubuntu:latest"])
write("rewritten", "prod", ["nginx:1.25", "docker.io/library/redis:7"])
json.dump(base, open(f"{work}/example.json", "w"))
PY
MIX=("/validate=$WORK/allowed.json" "/validate=$WORK/denied.json" "/validate=$WORK/warned.json"
     "/validate=$WORK/example.json" "/mutate=$WORK/rewritten.json" "/mutate=$WORK/allowed.json")

echo "== serve"
"${SERVE_CMD[@]}" serve --listen "127.0.0.1:$PORT" \
  --policies "$ROOT/manifests/examples/policies" --scans "$ROOT/manifests/examples/scans" --ca-dir "$WORK/ca" \
  >"$WORK/serve.log" 2>&1 &
SERVE=$!
trap 'kill $SERVE 2>/dev/null || true; [[ -n "${SAMPLER:-}" ]] && kill $SAMPLER 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -ksf "https://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -ksf "https://127.0.0.1:$PORT/readyz" >/dev/null || { echo "serve did not get ready"; cat "$WORK/serve.log"; exit 1; }

echo "== capacity (15 s unpaced, after a 5 s warm-up)"
wrk -t1 -c"$CONNECTIONS" -d5s -s "$HERE/mix.lua" "https://127.0.0.1:$PORT" -- 0 "${MIX[@]}" >/dev/null
CAP=$(wrk -t1 -c"$CONNECTIONS" -d15s -s "$HERE/mix.lua" "https://127.0.0.1:$PORT" -- 0 "${MIX[@]}" | awk '/Requests\/sec/ {print int($2)}')
TARGET=$(( CAP / 2 ))
# Each connection waits so that all of them together send about TARGET requests a second.
DELAY=$(( CONNECTIONS * 1000 / (TARGET > 0 ? TARGET : 1) ))
echo "capacity ${CAP} req/s; target ${TARGET} req/s (each of ${CONNECTIONS} connections waits ${DELAY} ms)"

rss() { awk '/VmRSS/ {print $2}' "/proc/$SERVE/status"; }
# What the runtime says about the same memory (the System.Runtime meter on /metrics): managed heap after the last
# GC by generation, memory the GC has committed, and JIT-compiled IL, so growth can be placed.
gc() {
  curl -ksf "https://127.0.0.1:$PORT/metrics" | awk -v t="$(date +%s)" '
    /^dotnet_gc_last_collection_heap_size_bytes\{/ { match($0, /gc_heap_generation="[a-z0-9]+"/); g = substr($0, RSTART + 20, RLENGTH - 21); h[g] = $NF }
    /^dotnet_gc_last_collection_memory_committed_size_bytes/ { c = $NF }
    /^dotnet_jit_compiled_il_size_bytes/ { j = $NF }
    END { printf "%s gen0=%d gen1=%d gen2=%d loh=%d poh=%d committed=%d jit_il=%d\n", t, h["gen0"], h["gen1"], h["gen2"], h["loh"], h["poh"], c, j }'
}
( while kill -0 $SERVE 2>/dev/null; do echo "$(date +%s) $(rss)" >>"$WORK/rss.txt"; gc >>"$WORK/gc.txt" || true; sleep 10; done ) &
SAMPLER=$!

echo "== soak, ${MINUTES} minute(s), one wrk run per minute"
for minute in $(seq 1 "$MINUTES"); do
  wrk -t1 -c"$CONNECTIONS" -d60s --timeout 10s -s "$HERE/mix.lua" "https://127.0.0.1:$PORT" -- "$DELAY" "${MIX[@]}" \
    | grep '^SOAK' | sed "s/^SOAK/minute=$minute/" | tee -a "$WORK/minutes.txt"
  [[ "$minute" == 1 ]] && { rss >"$WORK/rss-after-minute-1.txt"; gc >"$WORK/gc-after-minute-1.txt" || true; }
done
kill $SAMPLER 2>/dev/null || true

echo "== result"
python3 - "$WORK" <<'PY'
import sys, re
work = sys.argv[1]
rows = [dict(kv.split("=") for kv in line.split()) for line in open(f"{work}/minutes.txt")]
rss = [int(l.split()[1]) for l in open(f"{work}/rss.txt") if len(l.split()) == 2]
base = int(open(f"{work}/rss-after-minute-1.txt").read().strip())
total = sum(int(r["requests"]) for r in rows)
invalid = sum(int(r["invalid"]) for r in rows)
sock = sum(int(r["socket_errors"]) for r in rows)
first, last = float(rows[0]["p99_ms"]), float(rows[-1]["p99_ms"])
print(f"requests {total} ({total / (60 * len(rows)):.0f}/s), invalid answers {invalid}, socket errors {sock}")
print(f"p99 first minute {first:.2f} ms, last minute {last:.2f} ms, drift {100 * (last - first) / first:+.1f}%")
print(f"RSS after minute 1 {base / 1024:.1f} MiB, at the end {rss[-1] / 1024:.1f} MiB, growth {100 * (rss[-1] - base) / base:+.1f}% "
      f"(from the first sample {rss[0] / 1024:.1f} MiB: {100 * (rss[-1] - rss[0]) / rss[0]:+.1f}%; peak {max(rss) / 1024:.1f} MiB; {len(rss)} samples)")
def gcrow(line):
    return {k: int(v) for k, v in (kv.split("=") for kv in line.split()[1:])}
try:
    g0, g1 = gcrow(open(f"{work}/gc-after-minute-1.txt").read()), gcrow(open(f"{work}/gc.txt").read().splitlines()[-1])
    print("runtime, after minute 1 -> end (MiB): " + ", ".join(f"{k} {g0[k] / 2**20:.1f} -> {g1[k] / 2**20:.1f}" for k in g0))
except (OSError, ValueError, IndexError, KeyError) as e:
    print(f"runtime metrics not sampled: {e}")
sys.exit(0 if invalid == 0 and sock == 0 else 1)
PY
echo "(work files in $WORK)"
