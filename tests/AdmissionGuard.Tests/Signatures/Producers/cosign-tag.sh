#!/usr/bin/env bash
# Writes cosign's tag-scheme signatures into a registry, built from the published format with openssl and curl
# only (no cosign binary can be had here, and the code under test must not make its own test data):
#   sig: sha256-<hex>.sig, one layer per signature: the simple-signing payload as the blob, its signature in the
#        dev.cosignproject.cosign/signature annotation (cosign's SPEC.md, "Signature" / "Simple Signing").
#   att: sha256-<hex>.att, one layer per predicate type: a DSSE envelope (signature over the DSSE PAE) holding an
#        in-toto Statement whose subject is the digest, media type application/vnd.dsse.envelope.v1+json.
#
# usage: cosign-tag.sh sig|att <registry host:port> <repository> <digest> <private key PEM> <p256|p384|rsa|rsa-pss|ed25519>
# env:   NAMED_DIGEST   the digest the payload or statement names (default: <digest>)
#        TAMPER=1       change the payload after signing (a payload digest mismatch)
#        PREDICATE_TYPES  space-separated predicate types for att (default: https://slsa.dev/provenance/v1)
#        STATEMENT_TYPE   in-toto Statement _type (default: https://in-toto.io/Statement/v1)
set -euo pipefail

kind=$1 registry=$2 repository=$3 digest=$4 key=$5 alg=$6
named=${NAMED_DIGEST:-$digest}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
base="http://$registry/v2/$repository"

sign() { # file -> base64 signature
  case "$alg" in
    p256|rsa) openssl dgst -sha256 -sign "$key" -out "$work/sig" "$1" ;;
    p384) openssl dgst -sha384 -sign "$key" -out "$work/sig" "$1" ;;
    rsa-pss) openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sign "$key" -out "$work/sig" "$1" ;;
    ed25519) openssl pkeyutl -sign -rawin -inkey "$key" -in "$1" -out "$work/sig" ;;
    *) echo "cosign-tag.sh: unknown algorithm $alg" >&2; exit 2 ;;
  esac
  base64 -w0 "$work/sig"
}

push_blob() { # file -> digest
  local d location
  d="sha256:$(sha256sum "$1" | cut -d' ' -f1)"
  location=$(curl -fsS -X POST -D - -o /dev/null "$base/blobs/uploads/" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
  case "$location" in http*) ;; *) location="http://$registry$location" ;; esac
  case "$location" in *\?*) location="$location&digest=$d" ;; *) location="$location?digest=$d" ;; esac
  curl -fsS -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$1" "$location" -o /dev/null
  echo "$d"
}

printf '{}' > "$work/config"
config=$(push_blob "$work/config")
layers=""
add_layer() { # file mediaType annotations-json
  local d size
  d=$(push_blob "$1")
  size=$(stat -c %s "$1")
  layers="${layers:+$layers,}{\"mediaType\":\"$2\",\"size\":$size,\"digest\":\"$d\",\"annotations\":$3}"
}

case "$kind" in
  sig)
    printf '{"critical":{"identity":{"docker-reference":"%s/%s"},"image":{"docker-manifest-digest":"%s"},"type":"cosign container image signature"},"optional":null}' \
      "$registry" "$repository" "$named" > "$work/payload"
    signature=$(sign "$work/payload")
    if [ "${TAMPER:-0}" = 1 ]; then
      sed -i 's/"docker-manifest-digest":"sha256:./"docker-manifest-digest":"sha256:0/' "$work/payload"
    fi
    add_layer "$work/payload" application/vnd.dev.cosign.simplesigning.v1+json "{\"dev.cosignproject.cosign/signature\":\"$signature\"}"
    ;;
  att)
    for predicate in ${PREDICATE_TYPES:-https://slsa.dev/provenance/v1}; do
      printf '{"_type":"%s","predicateType":"%s","subject":[{"name":"%s/%s","digest":{"sha256":"%s"}}],"predicate":{"note":"made by cosign-tag.sh"}}' \
        "${STATEMENT_TYPE:-https://in-toto.io/Statement/v1}" "$predicate" "$registry" "$repository" "${named#sha256:}" > "$work/statement"
      type=application/vnd.in-toto+json
      { printf 'DSSEv1 %d %s %d ' "${#type}" "$type" "$(stat -c %s "$work/statement")"; cat "$work/statement"; } > "$work/pae"
      signature=$(sign "$work/pae")
      n=$(( ${n:-0} + 1 ))
      printf '{"payloadType":"%s","payload":"%s","signatures":[{"keyid":"","sig":"%s"}]}' "$type" "$(base64 -w0 "$work/statement")" "$signature" > "$work/envelope-$n"
      add_layer "$work/envelope-$n" application/vnd.dsse.envelope.v1+json "{\"predicateType\":\"$predicate\"}"
    done
    ;;
  *) echo "cosign-tag.sh: kind is sig or att" >&2; exit 2 ;;
esac

printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":2,"digest":"%s"},"layers":[%s]}' \
  "$config" "$layers" > "$work/manifest"
curl -fsS -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary "@$work/manifest" \
  "$base/manifests/${digest/:/-}.$kind" -o /dev/null
