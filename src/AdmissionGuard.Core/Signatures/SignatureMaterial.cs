namespace AdmissionGuard.Signatures;

/// <summary>
/// Everything fetched for one image digest from where its signatures live, as raw bytes: nothing in it is
/// trusted until <see cref="SignatureVerifier"/> has checked it. <see cref="Problems"/> says what was found
/// but could not be used (a bundle over the size limit, a listing with too many entries).
/// </summary>
public sealed record SignatureMaterial(
    byte[]? Manifest,
    IReadOnlyList<CosignLayer> Signatures,
    IReadOnlyList<CosignLayer> Attestations,
    IReadOnlyList<byte[]> Bundles,
    IReadOnlyList<string> Problems);
