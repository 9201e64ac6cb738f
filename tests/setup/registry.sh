#!/usr/bin/env bash
# Installs the real registry tools the registry tests drive (distribution's docker-registry,
# skopeo, umoci, htpasswd). Idempotent: does nothing when they are already present, and runs
# apt-get update only when something is missing, so repeated test runs stay offline and fast.
set -euo pipefail

needed=()
command -v docker-registry >/dev/null 2>&1 || needed+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || needed+=(skopeo)
command -v umoci >/dev/null 2>&1 || needed+=(umoci)
command -v htpasswd >/dev/null 2>&1 || needed+=(apache2-utils)

if [ ${#needed[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

echo "installing: ${needed[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${needed[@]}"

for tool in docker-registry skopeo umoci htpasswd; do
  command -v "$tool" >/dev/null 2>&1 || { echo "registry.sh: $tool is still missing after install" >&2; exit 1; }
done
