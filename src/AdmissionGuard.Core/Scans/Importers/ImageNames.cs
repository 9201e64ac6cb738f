using AdmissionGuard.Images;

namespace AdmissionGuard.Scans.Importers;

/// <summary>
/// Docker-style normalization of the simple references scanners write (<c>alpine:3.10</c> becomes
/// <c>docker.io/library/alpine:3.10</c>).
/// Import and admission normalize with the one grammar of <see cref="ImageReferenceParser"/>.
/// </summary>
internal static class ImageNames
{
    /// <summary>
    /// <paramref name="normalized"/> is <c>registry/path[:tag]</c> (never the digest), <paramref name="repository"/>
    /// is <c>registry/path</c>, <paramref name="digest"/> what followed an <c>@</c>.
    /// </summary>
    public static bool TryNormalize(string? input, out string? normalized, out string? repository, out string? tag, out string? digest)
    {
        normalized = repository = tag = digest = null;
        if (!ImageReferenceParser.TryParse(input?.Trim(), out var reference, out _))
        {
            return false;
        }

        repository = reference.Repository;
        tag = reference.Tag;
        digest = reference.Digest;
        normalized = tag is null ? repository : repository + ":" + tag;
        return true;
    }
}
