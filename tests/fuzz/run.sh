#!/usr/bin/env bash
# Bounded fuzzing of the three untrusted-input parsers with SharpFuzz + AFL++.
#   bash tests/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]   (default 60 s; targets: reference review policy)
# Installs afl++ and SharpFuzz.CommandLine when missing, publishes and instruments the fuzz project in a
# temp dir, runs afl-fuzz per target, prints one summary line per target, and exits 1 when any target
# has a crash or a hang (the inputs are copied to artifacts/fuzz/<target>/ and listed).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(reference review policy)
case "$seconds" in ''|*[!0-9]*) echo "usage: $0 [SECONDS_PER_TARGET] [TARGET...]" >&2; exit 2;; esac

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v afl-fuzz >/dev/null 2>&1; then
  echo "== installing afl++"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
fi

export PATH="$PATH:$HOME/.dotnet/tools"
if ! dotnet tool list --global 2>/dev/null | grep -qi '^sharpfuzz\.commandline *2\.3\.0'; then
  echo "== installing SharpFuzz.CommandLine 2.3.0"
  dotnet tool uninstall --global SharpFuzz.CommandLine >/dev/null 2>&1 || true
  dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0 >/dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/admissionguard-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
out="$work/out"
mkdir -p "$work/findings"

echo "== publishing tests/AdmissionGuard.Fuzz (Release) to $out"
dotnet publish tests/AdmissionGuard.Fuzz/AdmissionGuard.Fuzz.csproj -c Release -o "$out" -nologo -v quiet >"$work/publish.log" 2>&1 \
  || { cat "$work/publish.log"; echo "fuzz: publish failed"; exit 1; }
for dll in AdmissionGuard.Core.dll admissionguard.dll; do
  sharpfuzz "$out/$dll" >/dev/null || { echo "fuzz: sharpfuzz could not instrument $dll"; exit 1; }
done

# A shared, noisy machine: no CPU pinning, a patient fork-server start (the .NET runtime boots first),
# and a core_pattern we may not change.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 \
  AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_FORKSRV_INIT_TMOUT=60000 AFL_QUIET=1

stat() { sed -n "s/^$2 *: *//p" "$1" 2>/dev/null | head -n1; }

failed=0
summary=()
for target in "${targets[@]}"; do
  seeds="tests/AdmissionGuard.Fuzz/seeds/$target"
  [ -d "$seeds" ] || { echo "fuzz: no seeds for target '$target' in $seeds"; exit 2; }
  findings="$work/findings/$target"
  echo "== fuzzing $target for ${seconds}s"
  status=0
  afl-fuzz -V "$seconds" -i "$seeds" -o "$findings" -t 5000 -m none -- dotnet "$out/AdmissionGuard.Fuzz.dll" "$target" \
    >"$work/$target.log" 2>&1 || status=$?
  stats="$findings/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    tail -n 30 "$work/$target.log"
    echo "fuzz $target: afl-fuzz did not start (exit $status)"
    failed=1
    summary+=("fuzz $target: did not run")
    continue
  fi

  execs=$(stat "$stats" execs_done); rate=$(stat "$stats" execs_per_sec)
  paths=$(stat "$stats" corpus_count); [ -n "$paths" ] || paths=$(stat "$stats" paths_total)
  crashes=$(find "$findings/default/crashes" -type f -name 'id:*' 2>/dev/null | wc -l)
  hangs=$(find "$findings/default/hangs" -type f -name 'id:*' 2>/dev/null | wc -l)
  line="fuzz $target: ${seconds}s, $execs execs ($rate/s), $paths paths, $crashes crashes, $hangs hangs"
  summary+=("$line")
  echo "$line"
  if [ "$crashes" -gt 0 ] || [ "$hangs" -gt 0 ]; then
    failed=1
    keep="$root/artifacts/fuzz/$target"
    rm -rf "$keep"; mkdir -p "$keep"
    for kind in crashes hangs; do
      for input in "$findings/default/$kind"/id:*; do
        [ -e "$input" ] || continue
        name="$kind-$(basename "$input" | cut -d, -f1 | tr -d ':')"
        cp "$input" "$keep/$name"
        echo "  $kind: artifacts/fuzz/$target/$name  $(head -c 160 "$input" | od -An -c | tr -s ' \n' ' ' | head -c 240)"
      done
    done
    # Without AFL's shared memory the harness runs one input from stdin: show why the first crash crashed.
    first=$(find "$keep" -name 'crashes-*' | sort | head -n1)
    if [ -n "$first" ]; then
      echo "  replay of $(basename "$first"):"
      (dotnet "$out/AdmissionGuard.Fuzz.dll" "$target" <"$first" 2>&1 || true) | head -n 15 | sed 's/^/    /'
    fi
  fi
done

echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
exit "$failed"
