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
        reference = default;
        var slash = normalized.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == normalized.Length - 1)
        {
            return false;
        }

        var registry = normalized[..slash].ToLowerInvariant();
        var rest = normalized[(slash + 1)..];
        string path;
        string tagOrDigest;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            tagOrDigest = rest[(at + 1)..];
            if (!Digests.IsValid(tagOrDigest))
            {
                return false;
            }

            path = rest[..at];
            var tagColon = path.LastIndexOf(':');
            if (tagColon > path.LastIndexOf('/'))
            {
                path = path[..tagColon];
            }
        }
        else
        {
            var colon = rest.LastIndexOf(':');
            if (colon > rest.LastIndexOf('/'))
            {
                path = rest[..colon];
                tagOrDigest = rest[(colon + 1)..];
            }
            else
            {
                path = rest;
                tagOrDigest = "latest";
            }
        }

        if (path.Length == 0 || tagOrDigest.Length == 0 || !IsSafe(path) || !IsSafe(tagOrDigest))
        {
            return false;
        }

        reference = new ManifestReference(registry, path, tagOrDigest);
        return true;
    }

    /// <summary>The registry part as a cache/breaker key, without parsing the rest.</summary>
    public static string? RegistryOf(string normalized)
    {
        var slash = normalized.IndexOf('/', StringComparison.Ordinal);
        return slash <= 0 ? null : normalized[..slash].ToLowerInvariant();
    }

    // The parts go into a URL path: refuse anything that could change which resource is asked for.
    private static bool IsSafe(string part)
    {
        foreach (var c in part)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/' or ':'))
            {
                return false;
            }
        }

        return !part.Contains("..", StringComparison.Ordinal) && !part.StartsWith('/') && !part.EndsWith('/');
    }
}
