# Sourced by the load scripts (run.sh, profile.sh, startup.sh, method-order.sh, instructions.sh, allocations.sh).
# REVIEW_DIR holds the recorded reviews; REVIEWS are the four the scripts send in turn (Pods of 1, 3 and 8 containers,
# the 8-container UPDATE).
REVIEW_DIR="$ROOT/tests/AdmissionGuard.Benchmarks/Reviews"
REVIEWS="$REVIEW_DIR/pod-1-create.json $REVIEW_DIR/pod-3-create.json $REVIEW_DIR/pod-8-create.json $REVIEW_DIR/pod-8-update.json"

# write_fixtures DIR POLICIES writes DIR/policies and DIR/scans.
# The benchmark policies, scans dated an hour ago (maxAge 168h), and POLICIES-1 team policies that do
# not apply to namespace prod (as in AdmissionHandlerBenchmarks).
write_fixtures() {
  local dir="$1" policies="$2" now i
  mkdir -p "$dir/policies" "$dir/scans"
  now="$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)"
  for f in sources namespaces production; do cp "$ROOT/tests/AdmissionGuard.Benchmarks/Policies/$f.yaml" "$dir/policies/"; done
  sed "s/__SCANNED_AT__/$now/" "$ROOT/tests/AdmissionGuard.Benchmarks/Policies/scans.yaml" > "$dir/scans/scans.yaml"
  : > "$dir/policies/teams.yaml"
  for ((i = 1; i < policies; i++)); do
    if ((i % 2 == 0)); then
      printf 'apiVersion: admissionguard.io/v1alpha1\nkind: ImagePolicy\nmetadata: {name: team-%d, namespace: team-%d}\nspec:\n  mode: Enforce\n  rules:\n    hardened: {required: true, sources: [docker-hardened-images]}\n    tags: {disallowed: ["latest"]}\n---\n' "$i" "$i"
    else
      printf 'apiVersion: admissionguard.io/v1alpha1\nkind: ClusterImagePolicy\nmetadata: {name: team-%d}\nspec:\n  mode: Warn\n  match: {namespaces: ["team-%d-*"]}\n  rules:\n    registries: {allowed: ["registry.example.com/team-%d"]}\n    scan: {minGrade: C, onMissing: Deny}\n---\n' "$i" "$i" "$i"
    fi >> "$dir/policies/teams.yaml"
  done
}

# write_certificate DIR: a P-256 serving certificate for 127.0.0.1 and its key, DIR/tls.crt and DIR/tls.key.
write_certificate() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$1/tls.key" -out "$1/tls.crt" 2>/dev/null
}

# A free loopback port, asked of the kernel: other runs of these scripts may share the machine.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# under_callgrind NAME BINARY ARGS...: BINARY (a native AOT publish) with ARGS in the background under valgrind's
# callgrind, counts in $WORK/NAME.cg, output in $WORK/NAME.log; SERVER_PID is valgrind's. It runs a copy, $WORK/exe/NAME,
# without DWARF, which valgrind's reader rejects in what the AOT compiler writes (the symbol table stays). valgrind
# cannot reserve server GC's address space, so the runtime uses workstation GC with a 512 MiB limit.
# CALLGRIND_OPTIONS adds valgrind options (method-order.sh: --dump-instr=yes).
under_callgrind() {
  local name="$1" binary="$2"; shift 2
  mkdir -p "$WORK/exe"
  objcopy --strip-debug "$binary" "$WORK/exe/$name"
  # shellcheck disable=SC2086
  DOTNET_gcServer=0 DOTNET_GCHeapHardLimit=0x20000000 valgrind --tool=callgrind ${CALLGRIND_OPTIONS:-} \
    --callgrind-out-file="$WORK/$name.cg" "$WORK/exe/$name" "$@" > "$WORK/$name.log" 2>&1 < /dev/null &
  SERVER_PID=$!
}

# wait_ready PORT PID LOG SECONDS: until https://127.0.0.1:PORT/readyz answers 200, asked once a second (for servers
# under valgrind, which take seconds); exits showing LOG if PID dies or SECONDS pass. WAITED is the seconds it took.
wait_ready() {
  for ((WAITED = 0; WAITED < $4; WAITED++)); do
    [ "$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$1/readyz" || true)" = 200 ] && return 0
    kill -0 "$2" 2>/dev/null || { cat "$3" >&2; log "server died"; exit 1; }
    sleep 1
  done
  log "not ready after $4 s"
  exit 1
}

# publish_aot PROJECT OUT [ARGS...]: native AOT publish of PROJECT (a path below the repository) into OUT, with the
# project's own compiler settings and ARGS; the log is OUT.log.
# From a copy, so the worktree's obj/ (and so its normal build) is untouched by the RID restore.
publish_aot() {
  local copy="$WORK/aot-src"
  if [ ! -d "$copy" ]; then
    mkdir -p "$copy/tests/AdmissionGuard.LoadTests"
    cp -r "$ROOT/src" "$ROOT/Directory.Build.props" "$ROOT/Directory.Packages.props" "$ROOT/global.json" "$copy/"
    cp "$ROOT/tests/Directory.Build.props" "$copy/tests/"
    cp -r "$ROOT/tests/AdmissionGuard.LoadTests/NullWebhook" "$copy/tests/AdmissionGuard.LoadTests/"
    find "$copy" -name bin -o -name obj | xargs rm -rf
  fi
  log "publishing $1 as native AOT (slow)"
  dotnet publish "$copy/$1" -c Release -r linux-x64 -p:PublishAot=true -o "$2" -nologo "${@:3}" > "$2.log" 2>&1
}
