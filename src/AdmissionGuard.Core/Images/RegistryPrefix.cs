using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace AdmissionGuard.Images;

/// <summary>One entry of a registry allow-list: a repository prefix matched on path-segment boundaries.</summary>
/// <remarks>
/// An image is allowed when its normalized repository equals the entry or continues it after a <c>/</c>;
/// <c>*</c> matches within one segment. The first segment is the registry (<c>host[:port]</c>, compared
/// case-insensitively, Docker Hub aliases mean <c>docker.io</c>); an entry without a port matches only
/// references without one, even when its host is a wildcard.
/// </remarks>
public sealed class RegistryPrefix
{
    private readonly GlobMatcher[] segments;
    private readonly bool registryHasPort;

    private RegistryPrefix(string entry, GlobMatcher[] segments, bool registryHasPort)
    {
        Entry = entry;
        this.segments = segments;
        this.registryHasPort = registryHasPort;
    }

    /// <summary>The entry as written.</summary>
    public string Entry { get; }

    public static bool TryCompile(string? entry, [NotNullWhen(true)] out RegistryPrefix? prefix, [NotNullWhen(false)] out string? error)
    {
        prefix = null;
        if (string.IsNullOrEmpty(entry))
        {
            error = "registry entry is empty";
            return false;
        }

        var problem = Compile(entry, out prefix);
        if (problem is null && prefix is not null)
        {
            error = null;
            return true;
        }

        prefix = null;
        error = $"invalid registry entry {ImageText.Quote(entry)}: {problem}";
        return false;
    }

    public bool IsMatch(ImageReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var remaining = reference.Repository.AsSpan();
        for (var i = 0; i < segments.Length; i++)
        {
            if (remaining.IsEmpty)
            {
                return false;
            }

            var slash = remaining.IndexOf('/');
            var segment = slash < 0 ? remaining : remaining[..slash];
            if (i == 0 && !registryHasPort && ImageText.HasPort(segment))
            {
                return false;
            }

            if (!segments[i].IsMatch(segment))
            {
                return false;
            }

            remaining = slash < 0 ? [] : remaining[(slash + 1)..];
        }

        return true;
    }

    public override string ToString() => Entry;

    private static string? Compile(string entry, out RegistryPrefix? prefix)
    {
        prefix = null;
        var forbidden = ImageText.IndexOfForbidden(entry);
        if (forbidden >= 0)
        {
            return ImageText.DescribeForbidden(entry, forbidden);
        }

        if (entry.Contains("**", StringComparison.Ordinal))
        {
            return "\"**\" is not allowed; an entry already allows everything below it, and \"*\" matches one segment";
        }

        if (entry.Contains('@', StringComparison.Ordinal))
        {
            return "an entry names a registry or repository prefix; digests are not allowed";
        }

        // A URL is the most likely slip (copied from a browser or a registry's docs): say what to write instead.
        if (entry.IndexOf("://", StringComparison.Ordinal) is > 0 and var scheme)
        {
            return $"an entry has no scheme; write {ImageText.Quote(entry[(scheme + 3)..])}";
        }

        if (entry[0] == '/' || entry[^1] == '/')
        {
            return "an entry must not start or end with \"/\"";
        }

        var parts = entry.Split('/');
        var compiled = new GlobMatcher[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length == 0)
            {
                return "an entry has an empty segment (\"//\")";
            }
        }

        var problem = NormalizeRegistry(parts[0], out var registry);
        if (problem is not null)
        {
            return problem;
        }

        compiled[0] = GlobMatcher.Compile(registry!);
        for (var i = 1; i < parts.Length; i++)
        {
            foreach (var c in parts[i])
            {
                if (char.IsAsciiLetterUpper(c))
                {
                    return "repository path must be lowercase (normalized repositories always are, so it could never match)";
                }

                if (c == ':')
                {
                    return "an entry names a registry or repository prefix; tags are not allowed";
                }

                if (!ImageText.IsLowerAlphaNumeric(c) && c is not ('.' or '_' or '-' or '*'))
                {
                    return $"repository path contains invalid character {ImageText.QuoteChar(c)}";
                }
            }

            compiled[i] = GlobMatcher.Compile(parts[i]);
        }

        prefix = new RegistryPrefix(entry, compiled, ImageText.HasPort(registry));
        return null;
    }

    private static string? NormalizeRegistry(string text, out string? registry)
    {
        registry = null;
        var lower = text.ToLowerInvariant();
        string host;
        string? port = null;
        if (lower[0] == '[')
        {
            var close = lower.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return "IPv6 registry host is missing its closing \"]\"";
            }

            host = lower[..(close + 1)];
            foreach (var c in host[1..^1])
            {
                if (!char.IsAsciiHexDigit(c) && c != ':')
                {
                    return $"IPv6 registry host contains invalid character {ImageText.QuoteChar(c)}";
                }
            }

            if (close + 1 < lower.Length)
            {
                if (lower[close + 1] != ':')
                {
                    return "IPv6 registry host must be followed by \":port\" or \"/\"";
                }

                port = lower[(close + 2)..];
            }
        }
        else
        {
            var colon = lower.IndexOf(':', StringComparison.Ordinal);
            host = colon < 0 ? lower : lower[..colon];
            port = colon < 0 ? null : lower[(colon + 1)..];
            if (host.Length == 0)
            {
                return "registry host is empty";
            }

            foreach (var c in host)
            {
                if (!ImageText.IsLowerAlphaNumeric(c) && c is not ('.' or '-' or '*'))
                {
                    return $"registry host contains invalid character {ImageText.QuoteChar(c)}";
                }
            }

            // A normalized reference only has a registry that Docker recognizes as one; anything else would be
            // a Docker Hub namespace and this entry could never match.
            if (port is null && !host.Contains('.', StringComparison.Ordinal) && !host.Contains('*', StringComparison.Ordinal) && host != "localhost")
            {
                return $"{ImageText.Quote(host)} is not a registry host; start with a registry such as docker.io, localhost or host:port";
            }
        }

        if (port is not null)
        {
            var problem = NormalizePort(port, out port);
            if (problem is not null)
            {
                return problem;
            }

            registry = port == ImageText.DefaultPort ? ImageText.NormalizeHost(host) : host + ":" + port;
            return null;
        }

        registry = ImageText.NormalizeHost(host);
        return null;
    }

    private static string? NormalizePort(string text, out string port)
    {
        port = text;
        if (text.Length == 0)
        {
            return "registry port is empty";
        }

        if (text.Contains('*', StringComparison.Ordinal))
        {
            foreach (var c in text)
            {
                if (!char.IsAsciiDigit(c) && c != '*')
                {
                    return $"registry port contains invalid character {ImageText.QuoteChar(c)}";
                }
            }

            return null;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return $"registry port contains invalid character {ImageText.QuoteChar(c)}";
            }
        }

        // Same canonical form as the parser, so "localhost:05000" and "localhost:5000" agree.
        var digits = text.TrimStart('0');
        if (digits.Length is 0 or > 5 || int.Parse(digits, CultureInfo.InvariantCulture) > 65535)
        {
            var shown = text.Length <= 12 ? text : text[..12] + "...";
            return $"port {shown} is out of range 1-65535";
        }

        port = digits;
        return null;
    }
}
