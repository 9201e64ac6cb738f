using System.Diagnostics.CodeAnalysis;

namespace AdmissionGuard.Images;

/// <summary>A compiled image glob as API.md defines it (<c>*</c> within a segment, <c>**</c> across).</summary>
/// <remarks>
/// <para>The pattern is matched against the normalized reference: <c>repository[:tag][@digest]</c>.
/// A <c>:</c> after the last <c>/</c> starts a tag pattern and an <c>@</c> a digest pattern; without them
/// the pattern matches the repository whatever its tag or digest. A <c>:</c> before the last <c>/</c>
/// belongs to a registry port.</para>
/// <para>A tag pattern sees <c>latest</c> for a reference with neither tag nor digest, and never matches a
/// digest-only reference (it has no tag). A digest pattern never matches a reference without a digest.</para>
/// <para>Only the registry part is normalized (lower-cased, Docker Hub aliases become <c>docker.io</c>).
/// Nothing else is: <c>nginx</c> is the literal repository <c>nginx</c>, which no normalized reference has;
/// write <c>docker.io/library/nginx</c>.</para>
/// </remarks>
public sealed class ImageGlob
{
    private readonly GlobMatcher repository;
    private readonly GlobMatcher? tag;
    private readonly GlobMatcher? digest;

    private ImageGlob(string pattern, GlobMatcher repository, GlobMatcher? tag, GlobMatcher? digest)
    {
        Pattern = pattern;
        this.repository = repository;
        this.tag = tag;
        this.digest = digest;
    }

    /// <summary>The pattern as written.</summary>
    public string Pattern { get; }

    public static bool TryCompile(string? pattern, [NotNullWhen(true)] out ImageGlob? glob, [NotNullWhen(false)] out string? error)
    {
        glob = null;
        if (string.IsNullOrEmpty(pattern))
        {
            error = "image pattern is empty";
            return false;
        }

        var problem = Compile(pattern, out glob);
        if (problem is null && glob is not null)
        {
            error = null;
            return true;
        }

        glob = null;
        error = $"invalid image pattern {ImageText.Quote(pattern)}: {problem}";
        return false;
    }

    public bool IsMatch(ImageReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (!repository.IsMatch(reference.Repository))
        {
            return false;
        }

        if (tag is not null)
        {
            // A digest-only reference has no tag at all; only a reference with neither is implicitly "latest".
            var effectiveTag = reference.Tag ?? (reference.Digest is null ? "latest" : null);
            if (effectiveTag is null || !tag.IsMatch(effectiveTag))
            {
                return false;
            }
        }

        return digest is null || (reference.Digest is not null && digest.IsMatch(reference.Digest));
    }

    public override string ToString() => Pattern;

    private static string? Compile(string pattern, out ImageGlob? glob)
    {
        glob = null;
        var forbidden = ImageText.IndexOfForbidden(pattern);
        if (forbidden >= 0)
        {
            return ImageText.DescribeForbidden(pattern, forbidden);
        }

        if (pattern.Contains("***", StringComparison.Ordinal))
        {
            return "\"***\" is not a wildcard; use \"*\" within a segment or \"**\" across segments";
        }

        var lastSlash = pattern.LastIndexOf('/');
        var at = pattern.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0 && at < lastSlash)
        {
            return "\"@\" may only start a digest at the end of the pattern";
        }

        if (at >= 0 && pattern.IndexOf('@', at + 1) >= 0)
        {
            return "a pattern can have only one \"@\"";
        }

        var beforeDigest = at < 0 ? pattern : pattern[..at];
        var colon = beforeDigest.IndexOf(':', lastSlash + 1);
        var repositoryText = colon < 0 ? beforeDigest : beforeDigest[..colon];

        var problem = NormalizeRepository(repositoryText, out var repositoryPattern);
        if (problem is not null)
        {
            return problem;
        }

        GlobMatcher? tagMatcher = null;
        if (colon >= 0)
        {
            problem = CheckTag(beforeDigest[(colon + 1)..]);
            if (problem is not null)
            {
                return problem;
            }

            tagMatcher = GlobMatcher.Compile(beforeDigest[(colon + 1)..]);
        }

        GlobMatcher? digestMatcher = null;
        if (at >= 0)
        {
            problem = CheckDigest(pattern[(at + 1)..]);
            if (problem is not null)
            {
                return problem;
            }

            digestMatcher = GlobMatcher.Compile(pattern[(at + 1)..]);
        }

        glob = new ImageGlob(pattern, GlobMatcher.Compile(repositoryPattern!), tagMatcher, digestMatcher);
        return null;
    }

    private static string? NormalizeRepository(string text, out string? normalized)
    {
        normalized = null;
        if (text.Length == 0)
        {
            return "repository part is empty";
        }

        if (text[0] == '/' || text[^1] == '/')
        {
            return "repository part must not start or end with \"/\"";
        }

        if (text.Contains("//", StringComparison.Ordinal))
        {
            return "repository part has an empty segment (\"//\")";
        }

        var firstSlash = text.IndexOf('/', StringComparison.Ordinal);
        var registry = "";
        var path = text;
        if (firstSlash >= 0)
        {
            // The first segment sits where every normalized reference has its registry, and hosts are case-insensitive.
            registry = ImageText.NormalizeHost(ImageText.WithoutDefaultPort(text[..firstSlash].ToLowerInvariant()));
            path = text[firstSlash..];
            foreach (var c in registry)
            {
                if (!ImageText.IsLowerAlphaNumeric(c) && c is not ('.' or '-' or ':' or '[' or ']' or '*'))
                {
                    return $"registry part contains invalid character {ImageText.QuoteChar(c)}";
                }
            }
        }

        foreach (var c in path)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                return "repository path must be lowercase (normalized repositories always are, so it could never match)";
            }

            if (!ImageText.IsLowerAlphaNumeric(c) && c is not ('.' or '_' or '-' or '/' or '*'))
            {
                return $"repository path contains invalid character {ImageText.QuoteChar(c)}";
            }
        }

        normalized = registry + path;
        return null;
    }

    private static string? CheckTag(string text)
    {
        if (text.Length == 0)
        {
            return "tag part is empty (nothing after \":\")";
        }

        foreach (var c in text)
        {
            if (!ImageText.IsTagCharacter(c) && c != '*')
            {
                return $"tag part contains invalid character {ImageText.QuoteChar(c)}";
            }
        }

        return null;
    }

    private static string? CheckDigest(string text)
    {
        if (text.Length == 0)
        {
            return "digest part is empty (nothing after \"@\")";
        }

        foreach (var c in text)
        {
            if (!ImageText.IsLowerAlphaNumeric(c) && c is not (':' or '*'))
            {
                return $"digest part contains invalid character {ImageText.QuoteChar(c)} (digests are lowercase algorithm:hex)";
            }
        }

        return null;
    }
}
