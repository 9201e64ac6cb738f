using System.Text.RegularExpressions;

namespace AdmissionGuard.Scans.Importers;

/// <summary>
/// Docker-style normalization of the simple references scanners write (<c>alpine:3.10</c> becomes
/// <c>docker.io/library/alpine:3.10</c>).
/// TODO(integrator): replace with ImageReferenceParser.TryParse once it lands, so that import and admission
/// normalize with one grammar; this helper exists only because the parser is not written yet.
/// </summary>
internal static partial class ImageNames
{
    /// <summary>
    /// <paramref name="normalized"/> is <c>registry/path[:tag]</c> (never the digest), <paramref name="repository"/>
    /// is <c>registry/path</c>, <paramref name="digest"/> what followed an <c>@</c>.
    /// </summary>
    public static bool TryNormalize(string? input, out string? normalized, out string? repository, out string? tag, out string? digest)
    {
        normalized = repository = tag = digest = null;
        var text = input?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = text[(at + 1)..];
            text = text[..at];
            if (!Digests.IsValid(digest))
            {
                return false;
            }
        }

        var slash = text.LastIndexOf('/');
        var colon = text.LastIndexOf(':');
        if (colon > slash)
        {
            tag = text[(colon + 1)..];
            text = text[..colon];
            if (!TagPattern().IsMatch(tag))
            {
                return false;
            }
        }

        string registry;
        string path;
        var firstSlash = text.IndexOf('/', StringComparison.Ordinal);
        var first = firstSlash < 0 ? "" : text[..firstSlash];
        if (firstSlash >= 0 && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost"))
        {
            registry = first.ToLowerInvariant();
            path = text[(firstSlash + 1)..];
        }
        else
        {
            registry = "docker.io";
            path = text;
        }

        if (registry is "index.docker.io" or "registry-1.docker.io")
        {
            registry = "docker.io";
        }

        if (registry == "docker.io" && !path.Contains('/', StringComparison.Ordinal))
        {
            path = "library/" + path;
        }

        if (!PathPattern().IsMatch(path) || path.Length > 255)
        {
            return false;
        }

        repository = registry + "/" + path;
        normalized = tag is null ? repository : repository + ":" + tag;
        return true;
    }

    [GeneratedRegex(@"^[\w][\w.-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex PathPattern();
}
