namespace AdmissionGuard.Signatures;

/// <summary>
/// One layer of a cosign tag-scheme manifest. In <c>sha256-&lt;hex&gt;.sig</c> the blob is the simple-signing payload
/// and <see cref="Signature"/> the base64 of the <c>dev.cosignproject.cosign/signature</c> annotation; in
/// <c>.att</c> the blob is a DSSE envelope and <see cref="Signature"/> is null. <see cref="RekorBundle"/> is the
/// <c>dev.sigstore.cosign/bundle</c> annotation when present.
/// </summary>
public sealed record CosignLayer(byte[] Blob, string? Signature, string? RekorBundle);
