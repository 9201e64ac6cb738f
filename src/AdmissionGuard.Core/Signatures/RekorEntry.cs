using System.Security.Cryptography;
using System.Text.Json;

namespace AdmissionGuard.Signatures;

/// <summary>
/// The offline check of <c>transparencyLog: Require</c>: a Rekor entry is present with a promise or proof of inclusion,
/// and its body (hashedrekord, dsse or intoto) records this very signature and the hash of what it signs. Not checked:
/// the signed entry timestamp or inclusion proof against Rekor's own key, which needs a trusted root.
/// </summary>
internal static class RekorEntry
{
    /// <summary>A bundle's <c>verificationMaterial.tlogEntries</c>.</summary>
    public static bool BundleRecords(JsonElement bundle, byte[] signature, byte[] signedHash)
    {
        if (!Json.TryPath(bundle, out var entries, "verificationMaterial", "tlogEntries") || entries.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (var entry in entries.EnumerateArray())
        {
            var included = Json.TryObject(entry, "inclusionPromise", out _) || Json.TryObject(entry, "inclusionProof", out _);
            if (included && Json.TryBase64(entry, "canonicalizedBody", out var body) && BodyRecords(body, signature, signedHash))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Cosign's <c>dev.sigstore.cosign/bundle</c> annotation: <c>{"SignedEntryTimestamp", "Payload": {"body", ...}}</c>.</summary>
    public static bool AnnotationRecords(string? annotation, byte[] signature, byte[] signedHash)
    {
        if (string.IsNullOrEmpty(annotation))
        {
            return false;
        }

        try
        {
            using var json = JsonDocument.Parse(annotation);
            var root = json.RootElement;
            return Json.TryString(root, "SignedEntryTimestamp", out var set) && set.Length != 0
                && Json.TryObject(root, "Payload", out var payload) && Json.TryBase64(payload, "body", out var body)
                && BodyRecords(body, signature, signedHash);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool BodyRecords(byte[] body, byte[] signature, byte[] signedHash)
    {
        var hashHex = Convert.ToHexStringLower(signedHash);
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (!Json.TryString(root, "kind", out var kind) || !Json.TryObject(root, "spec", out var spec))
            {
                return false;
            }

            switch (kind)
            {
                case "hashedrekord":
                    return Json.TryPath(spec, out var content, "signature", "content") && SameBase64(content, signature)
                        && Json.TryPath(spec, out var value, "data", "hash", "value") && value.ValueKind == JsonValueKind.String
                        && string.Equals(value.GetString(), hashHex, StringComparison.OrdinalIgnoreCase);
                case "dsse":
                    if (!Json.TryPath(spec, out var payloadHash, "payloadHash", "value") || payloadHash.ValueKind != JsonValueKind.String
                        || !string.Equals(payloadHash.GetString(), hashHex, StringComparison.OrdinalIgnoreCase)
                        || !spec.TryGetProperty("signatures", out var signatures) || signatures.ValueKind != JsonValueKind.Array)
                    {
                        return false;
                    }

                    foreach (var s in signatures.EnumerateArray())
                    {
                        if (s.ValueKind == JsonValueKind.Object && s.TryGetProperty("signature", out var sig) && SameBase64(sig, signature))
                        {
                            return true;
                        }
                    }

                    return false;
                case "intoto":
                    return Json.TryPath(spec, out var intotoHash, "content", "payloadHash", "value") && intotoHash.ValueKind == JsonValueKind.String
                        && string.Equals(intotoHash.GetString(), hashHex, StringComparison.OrdinalIgnoreCase);
                default:
                    return false;
            }
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool SameBase64(JsonElement element, byte[] expected)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        try
        {
            return CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(element.GetString()!), expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
