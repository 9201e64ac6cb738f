namespace AdmissionGuard.Registry;

/// <summary>
/// A normalized reference split just enough to ask a registry: host, repository path, and the tag or
/// digest to ask for. Deliberately minimal: full parsing and normalization belong to ImageReferenceParser.
/// </summary>
internal readonly record struct ManifestReference(string Registry, string Repository, string Reference)
{
    public bool IsDigest => Reference.Contains(':', StringComparison.Ordinal);

    /// <summary>
    /// Splits <c>registry/path[:tag][@digest]</c>. A digest wins over a tag because it names the content;
    /// a reference with neither asks for <c>latest</c>, as Docker does.
    /// </summary>
    public static bool TryParse(string normalized, out ManifestReference reference)
    {
        // One grammar everywhere: what admission parsed is what the registry is asked for. The grammar
        // admits only characters that are safe in a URL path.
        reference = default;
        // Only normalized input: "nginx" is the caller's bug, not docker.io/library/nginx.
        if (!Images.ImageReferenceParser.TryParse(normalized, out var parsed, out _) || parsed.Normalized != normalized)
        {
            return false;
        }

        reference = new ManifestReference(parsed.Registry, parsed.Path, parsed.Digest ?? parsed.TagOrLatest);
        return true;
    }

    public static string? RegistryOf(string normalized)
    {
        var slash = normalized.IndexOf('/', StringComparison.Ordinal);
        return slash <= 0 ? null : normalized[..slash].ToLowerInvariant();
    }
}
