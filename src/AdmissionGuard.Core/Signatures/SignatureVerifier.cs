using System.Security.Cryptography;
using System.Text.Json;

namespace AdmissionGuard.Signatures;

/// <summary>
/// Judges fetched <see cref="SignatureMaterial"/> for one digest under a set of keys. Pure and total: bad input
/// is a state and a detail, never an exception.
/// </summary>
public static class SignatureVerifier
{
    public static readonly string[] BundleMediaTypes =
    [
        "application/vnd.dev.sigstore.bundle+json;version=0.1",
        "application/vnd.dev.sigstore.bundle+json;version=0.2",
        "application/vnd.dev.sigstore.bundle+json;version=0.3",
        "application/vnd.dev.sigstore.bundle.v0.3+json",
    ];

    public static SignatureFact Verify(SignatureMaterial material, string digest, IReadOnlyList<NamedKey> keys, bool requireTransparencyLog)
    {
        var problems = new List<string>(material.Problems);
        var attestations = new HashSet<string>(StringComparer.Ordinal);
        string? verifiedBy = null;
        var present = material.Problems.Count != 0;

        foreach (var layer in material.Signatures)
        {
            present = true;
            var key = CosignSignature(layer, digest, keys, requireTransparencyLog, problems);
            verifiedBy ??= key;
        }

        foreach (var layer in material.Attestations)
        {
            if (ParseJson(layer.Blob, out var envelope))
            {
                using (envelope)
                {
                    DsseAttestation(envelope.RootElement, digest, keys, requireTransparencyLog, layer.RekorBundle, null, attestations, problems);
                }
            }
            else
            {
                problems.Add("an attestation layer is not a DSSE envelope");
            }
        }

        foreach (var bundle in material.Bundles)
        {
            if (!ParseJson(bundle, out var document))
            {
                present = true;
                problems.Add("a Sigstore bundle is not JSON (truncated?)");
                continue;
            }

            using (document)
            {
                var root = document.RootElement;
                if (!Json.TryString(root, "mediaType", out var mediaType) || !BundleMediaTypes.Contains(mediaType, StringComparer.Ordinal))
                {
                    present = true;
                    problems.Add($"a Sigstore bundle has an unsupported media type \"{mediaType}\"");
                    continue;
                }

                if (Json.TryObject(root, "messageSignature", out var message))
                {
                    present = true;
                    verifiedBy ??= MessageSignature(root, message, material.Manifest, digest, keys, requireTransparencyLog, problems);
                }
                else if (Json.TryObject(root, "dsseEnvelope", out var envelope))
                {
                    DsseAttestation(envelope, digest, keys, requireTransparencyLog, null, root, attestations, problems);
                }
                else
                {
                    present = true;
                    problems.Add("a Sigstore bundle has neither messageSignature nor dsseEnvelope");
                }
            }
        }

        var detail = material.Problems.Count == 0 ? null : string.Join("; ", material.Problems);
        var diagnostics = problems.Count == 0 ? null : string.Join("; ", problems.Distinct(StringComparer.Ordinal));
        var state = verifiedBy is not null ? SignatureState.Verified : present ? SignatureState.Invalid : SignatureState.Unsigned;
        return new SignatureFact(state, verifiedBy, attestations, verifiedBy is null ? detail : null, diagnostics);
    }

    private static string? CosignSignature(CosignLayer layer, string digest, IReadOnlyList<NamedKey> keys, bool requireTlog, List<string> problems)
    {
        if (!Json.TryBase64(layer.Signature, out var signature))
        {
            problems.Add("a cosign signature layer has no base64 signature annotation");
            return null;
        }

        var key = FirstVerifying(keys, layer.Blob, signature);
        if (key is null)
        {
            problems.Add("a cosign signature verifies under none of the keys");
            return null;
        }

        var signed = SimpleSigning.SignedDigest(layer.Blob);
        if (!string.Equals(signed, digest, StringComparison.Ordinal))
        {
            problems.Add(signed is null ? "a cosign signature payload is not simple signing" : $"a cosign signature names another digest ({signed})");
            return null;
        }

        if (requireTlog && !RekorEntry.AnnotationRecords(layer.RekorBundle, signature, SHA256.HashData(layer.Blob)))
        {
            problems.Add("a cosign signature has no matching Rekor entry");
            return null;
        }

        return key;
    }

    private static string? MessageSignature(JsonElement bundle, JsonElement message, byte[]? manifest, string digest, IReadOnlyList<NamedKey> keys, bool requireTlog, List<string> problems)
    {
        if (!Json.TryBase64(message, "signature", out var signature))
        {
            problems.Add("a bundle's message signature has no signature");
            return null;
        }

        // The bundle must say it signs this manifest; the signature is then checked over the manifest itself.
        if (!Json.TryObject(message, "messageDigest", out var messageDigest) || !Json.TryBase64(messageDigest, "digest", out var signedHash)
            || !Json.TryString(messageDigest, "algorithm", out var algorithm) || algorithm != "SHA2_256"
            || !digest.StartsWith("sha256:", StringComparison.Ordinal)
            || !string.Equals(Convert.ToHexStringLower(signedHash), digest[7..], StringComparison.Ordinal))
        {
            problems.Add("a bundle's message signature names another digest");
            return null;
        }

        if (manifest is null || !string.Equals(Images.Digests.Compute(manifest, digest), digest, StringComparison.Ordinal))
        {
            problems.Add("the image manifest could not be read to check a message signature");
            return null;
        }

        var key = FirstVerifying(keys, manifest, signature);
        if (key is null)
        {
            problems.Add("a bundle's message signature verifies under none of the keys");
            return null;
        }

        if (requireTlog && !RekorEntry.BundleRecords(bundle, signature, signedHash))
        {
            problems.Add("a bundle has no matching Rekor entry");
            return null;
        }

        return key;
    }

    private static void DsseAttestation(JsonElement envelope, string digest, IReadOnlyList<NamedKey> keys, bool requireTlog, string? rekorAnnotation, JsonElement? bundle, HashSet<string> attestations, List<string> problems)
    {
        if (!Dsse.TryRead(envelope, out var payloadType, out var payload, out var signatures))
        {
            problems.Add("an attestation is not a signed DSSE envelope");
            return;
        }

        if (payloadType != Dsse.InTotoPayloadType)
        {
            problems.Add($"an attestation has payload type \"{payloadType}\", not {Dsse.InTotoPayloadType}");
            return;
        }

        var pae = Dsse.Pae(payloadType, payload);
        foreach (var signature in signatures)
        {
            if (FirstVerifying(keys, pae, signature) is null)
            {
                continue;
            }

            var predicateType = Dsse.PredicateTypeFor(payload, digest, out var problem);
            if (predicateType is null)
            {
                problems.Add(problem!);
                return;
            }

            var payloadHash = SHA256.HashData(payload);
            var logged = bundle is { } b ? RekorEntry.BundleRecords(b, signature, payloadHash) : RekorEntry.AnnotationRecords(rekorAnnotation, signature, payloadHash);
            if (requireTlog && !logged)
            {
                problems.Add($"attestation {predicateType} has no matching Rekor entry");
                return;
            }

            attestations.Add(predicateType);
            return;
        }

        problems.Add("an attestation verifies under none of the keys");
    }

    private static string? FirstVerifying(IReadOnlyList<NamedKey> keys, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        foreach (var key in keys)
        {
            if (key.Key.Verify(data, signature))
            {
                return key.Name;
            }
        }

        return null;
    }

    private static bool ParseJson(byte[] bytes, out JsonDocument document)
    {
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 32 });
            return true;
        }
        catch (JsonException)
        {
            document = null!;
            return false;
        }
    }
}
