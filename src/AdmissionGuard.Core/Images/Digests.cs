using System.Security.Cryptography;

namespace AdmissionGuard.Images;

/// <summary>Content digests as the API accepts them: sha256 (64 hex) or sha512 (128 hex), lowercase.</summary>
public static class Digests
{
    public static bool IsValid(string? digest)
    {
        if (digest is null)
        {
            return false;
        }

        int hexLength;
        if (digest.StartsWith("sha256:", StringComparison.Ordinal))
        {
            hexLength = 64;
        }
        else if (digest.StartsWith("sha512:", StringComparison.Ordinal))
        {
            hexLength = 128;
        }
        else
        {
            return false;
        }

        var hex = digest.AsSpan(7);
        if (hex.Length != hexLength)
        {
            return false;
        }

        foreach (var c in hex)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The ImageScan object name for a digest: <c>sha256-&lt;first 40 hex&gt;</c>.</summary>
    public static string ObjectName(string digest) => string.Concat(digest.AsSpan(0, 6), "-", digest.AsSpan(7, 40));

    /// <summary>The digest of <paramref name="body"/> with the algorithm of <paramref name="like"/> (sha256 when null).</summary>
    public static string Compute(ReadOnlySpan<byte> body, string? like)
    {
        if (like is not null && like.StartsWith("sha512:", StringComparison.Ordinal))
        {
            return "sha512:" + Convert.ToHexStringLower(SHA512.HashData(body));
        }

        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(body));
    }
}
