// Signs an image with Sigstore's own JavaScript implementation (@sigstore/sign), a local key standing in for
// Fulcio, optionally logs it in a mock Rekor (@sigstore/mock, intercepted in-process, no network), and attaches
// the bundle to the image as an OCI 1.1 referrer (@sigstore/oci: referrers index tag on registries without the API).
//
// usage: node sigstore-attach.js <request.json>
// request: {registry, repository, digest, kind: "message"|"dsse", keyFile, manifestFile?, statementFile?, tlog?,
//           mediaType?, out?}
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { MessageSignatureBundleBuilder, DSSEBundleBuilder, RekorWitness } = require('@sigstore/sign');
const { bundleToJSON } = require('@sigstore/bundle');
const { attachArtifactToImage } = require('@sigstore/oci');

async function main() {
  const request = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const privateKey = crypto.createPrivateKey(fs.readFileSync(request.keyFile));
  const publicKey = crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'pem' });
  const hash = privateKey.asymmetricKeyType === 'ed25519' ? null
    : privateKey.asymmetricKeyDetails && privateKey.asymmetricKeyDetails.namedCurve === 'secp384r1' ? 'sha384' : 'sha256';
  const signer = {
    sign: async (data) => ({
      signature: crypto.sign(hash, data, privateKey),
      key: { $case: 'publicKey', publicKey, hint: 'test-key' },
    }),
  };

  const witnesses = [];
  if (request.tlog) {
    const { mockRekor } = require('@sigstore/mock');
    await mockRekor({ baseURL: 'https://rekor.mock.invalid' });
    witnesses.push(new RekorWitness({ rekorBaseURL: 'https://rekor.mock.invalid', fetchOnConflict: false, retry: false }));
  }

  let bundle;
  if (request.kind === 'message') {
    const manifest = fs.readFileSync(request.manifestFile);
    bundle = await new MessageSignatureBundleBuilder({ signer, witnesses }).create({ data: manifest });
  } else {
    const statement = fs.readFileSync(request.statementFile);
    bundle = await new DSSEBundleBuilder({ signer, witnesses }).create({ data: statement, type: 'application/vnd.in-toto+json' });
  }

  const json = bundleToJSON(bundle);
  const text = JSON.stringify(json);
  if (request.out) {
    fs.writeFileSync(request.out, text);
  }

  const mediaType = request.mediaType || json.mediaType;
  const descriptor = await attachArtifactToImage({
    imageName: `${request.registry}/${request.repository}`,
    imageDigest: request.digest,
    artifact: Buffer.from(request.truncate ? text.slice(0, Math.floor(text.length / 2)) : text),
    mediaType,
    annotations: { 'dev.sigstore.bundle.content': request.kind === 'message' ? 'message-signature' : 'dsse-envelope' },
    credentials: undefined, // an open registry: signing in would fail on its missing challenge
  });
  process.stdout.write(JSON.stringify({ descriptor: descriptor.digest, bundleMediaType: json.mediaType }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`sigstore-attach: ${e && e.stack ? e.stack : e}${e && e.cause ? '\ncause: ' + e.cause : ''}\n`);
  process.exit(1);
});
