#!/usr/bin/env bash
# Installs the independent Sigstore implementations the signature tests sign with (@sigstore/sign, @sigstore/oci,
# @sigstore/mock), pinned by tests/tools/sigstore/package-lock.json, into tests/tools/sigstore/node_modules.
# Idempotent: does nothing when the locked versions are already installed.
set -euo pipefail

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools/sigstore" && pwd)"
command -v node >/dev/null 2>&1 || { echo "sigstore.sh: node is required (node 20 or later)" >&2; exit 1; }

stamp="$dir/node_modules/.admissionguard-lock.sha256"
want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
if [ -d "$dir/node_modules/@sigstore/sign" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi

echo "installing @sigstore/* into $dir/node_modules"
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
test -d "$dir/node_modules/@sigstore/sign" || { echo "sigstore.sh: @sigstore/sign is still missing after npm ci" >&2; exit 1; }
echo "$want" > "$stamp"
