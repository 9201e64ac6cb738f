#!/usr/bin/env bash
# Installs the real programs the adoption-report and metrics tests drive: headless Chromium (renders the
# HTML report, dumps its DOM, takes its screenshot) and Prometheus with promtool (checks the chart's alert
# rules and evaluates every dashboard and alert expression against a scraped `serve`). Idempotent: does
# nothing when they are present, and runs apt-get update only when something is missing.
set -euo pipefail

needed=()
command -v chromium >/dev/null 2>&1 || needed+=(chromium)
command -v prometheus >/dev/null 2>&1 || needed+=(prometheus)
command -v promtool >/dev/null 2>&1 || needed+=(prometheus)

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
$sudo apt-get install -y -q --no-install-recommends $(printf '%s\n' "${needed[@]}" | sort -u)

for tool in chromium prometheus promtool; do
  command -v "$tool" >/dev/null 2>&1 || { echo "report-tools.sh: $tool is still missing after install" >&2; exit 1; }
done
