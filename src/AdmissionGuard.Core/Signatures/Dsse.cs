using System.Text;
using System.Text.Json;

namespace AdmissionGuard.Signatures;

/// <summary>DSSE envelopes (v1) and the in-toto statements they carry.</summary>
internal static class Dsse
{
    public const string InTotoPayloadType = "application/vnd.in-toto+json";

    /// <summary>The DSSE pre-authentication encoding: <c>DSSEv1 SP len(type) SP type SP len(body) SP body</c>.</summary>
    public static byte[] Pae(string payloadType, ReadOnlySpan<byte> payload)
    {
        var type = Encoding.UTF8.GetBytes(payloadType);
        var header = Encoding.ASCII.GetBytes($"DSSEv1 {type.Length} ");
        var middle = Encoding.ASCII.GetBytes($" {payload.Length} ");
        var pae = new byte[header.Length + type.Length + middle.Length + payload.Length];
        header.CopyTo(pae, 0);
        type.CopyTo(pae, header.Length);
        middle.CopyTo(pae, header.Length + type.Length);
        payload.CopyTo(pae.AsSpan(header.Length + type.Length + middle.Length));
        return pae;
    }

    /// <summary>Reads an envelope (<c>payload</c>, <c>payloadType</c>, <c>signatures[].sig</c>, all base64 where binary).</summary>
    public static bool TryRead(JsonElement envelope, out string payloadType, out byte[] payload, out List<byte[]> signatures)
    {
        payloadType = "";
        payload = [];
        signatures = [];
        if (envelope.ValueKind != JsonValueKind.Object
            || !Json.TryString(envelope, "payloadType", out payloadType)
            || !Json.TryBase64(envelope, "payload", out payload)
            || !envelope.TryGetProperty("signatures", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (var entry in list.EnumerateArray())
        {
            if (entry.ValueKind == JsonValueKind.Object && Json.TryBase64(entry, "sig", out var sig))
            {
                signatures.Add(sig);
            }
        }

        return signatures.Count != 0;
    }

    /// <summary>
    /// The predicate type of an in-toto Statement (v0.1 or v1) when one of its subjects names <paramref name="digest"/>;
    /// null when the payload is not such a statement or names other content.
    /// </summary>
    public static string? PredicateTypeFor(ReadOnlySpan<byte> payload, string digest, out string? problem)
    {
        problem = null;
        var colon = digest.IndexOf(':', StringComparison.Ordinal);
        var algorithm = digest[..colon];
        var hex = digest[(colon + 1)..];
        try
        {
            using var json = JsonDocument.Parse(payload.ToArray());
            var root = json.RootElement;
            if (!Json.TryString(root, "_type", out var type) || type is not ("https://in-toto.io/Statement/v0.1" or "https://in-toto.io/Statement/v1"))
            {
                problem = "attestation payload is not an in-toto Statement v0.1 or v1";
                return null;
            }

            if (!Json.TryString(root, "predicateType", out var predicateType) || !root.TryGetProperty("subject", out var subjects) || subjects.ValueKind != JsonValueKind.Array)
            {
                problem = "in-toto Statement has no predicateType or subject";
                return null;
            }

            foreach (var subject in subjects.EnumerateArray())
            {
                if (subject.ValueKind == JsonValueKind.Object && subject.TryGetProperty("digest", out var digests) && digests.ValueKind == JsonValueKind.Object
                    && Json.TryString(digests, algorithm, out var value) && string.Equals(value, hex, StringComparison.OrdinalIgnoreCase))
                {
                    return predicateType;
                }
            }

            problem = $"attestation {predicateType} names another digest";
            return null;
        }
        catch (JsonException)
        {
            problem = "attestation payload is not JSON";
            return null;
        }
    }
}
