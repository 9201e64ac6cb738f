using System.Text.Json;

namespace AdmissionGuard.Signatures;

/// <summary>Cosign's simple-signing payload: <c>{"critical":{"image":{"docker-manifest-digest":"sha256:..."},"type":"cosign container image signature"}}</c>.</summary>
internal static class SimpleSigning
{
    /// <summary>The digest the payload names, or null when it is not a simple-signing payload.</summary>
    public static string? SignedDigest(ReadOnlySpan<byte> payload)
    {
        try
        {
            using var json = JsonDocument.Parse(payload.ToArray());
            return Json.TryPath(json.RootElement, out var digest, "critical", "image", "docker-manifest-digest") && digest.ValueKind == JsonValueKind.String
                ? digest.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
