using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using AdmissionGuard.Caching;

namespace AdmissionGuard.Images;

/// <summary>Parses image references by the distribution reference grammar, then normalizes them as Docker does.</summary>
/// <remarks>
/// A hand-written scanner rather than a Regex: .NET's <c>$</c>, <c>\w</c> and <c>\d</c> accept a trailing
/// newline and Unicode letters and digits, each of which would let an image the runtime reads differently
/// through. Everything outside printable ASCII is rejected before any structure is looked at.
/// </remarks>
public static class ImageReferenceParser
{
    /// <summary>Longest path (after Docker adds <c>library/</c>), as in distribution's <c>NameTotalLengthMax</c>.</summary>
    public const int MaxPathLength = 255;

    /// <summary>Longest tag: one leading character and up to 127 more.</summary>
    public const int MaxTagLength = 128;

    private const string Library = "library/";

    // Longer references (a long path, tag and digest together) are parsed each time rather than kept.
    private const int MaxRememberedLength = 512;

    private static readonly RecentValues<ImageReference> Parsed = new(4096);

    /// <summary>Never throws; on failure <paramref name="error"/> says precisely what is wrong.</summary>
    public static bool TryParse(string? input, [NotNullWhen(true)] out ImageReference? reference, [NotNullWhen(false)] out string? error)
    {
        if (string.IsNullOrEmpty(input))
        {
            reference = null;
            error = "image reference is empty";
            return false;
        }

        // The same images come in review after review: one parsed before is the answer again (references are
        // immutable). Only what parses is kept, so every error is still worded from the input.
        var hash = input.GetHashCode(StringComparison.Ordinal);
        if (Parsed.Recall(hash) is { } recent && string.Equals(recent.Written, input, StringComparison.Ordinal))
        {
            reference = recent;
            error = null;
            return true;
        }

        var problem = Parse(input, out reference);
        if (problem is null && reference is not null)
        {
            if (input.Length <= MaxRememberedLength)
            {
                Parsed.Remember(hash, reference);
            }

            error = null;
            return true;
        }

        reference = null;
        error = $"invalid reference {ImageText.Quote(input)}: {problem}";
        return false;
    }

    private static string? Parse(string input, out ImageReference? reference)
    {
        reference = null;
        var forbidden = ImageText.IndexOfForbidden(input);
        if (forbidden >= 0)
        {
            return ImageText.DescribeForbidden(input, forbidden);
        }

        var scheme = input.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            return $"a URL is not an image reference; remove {ImageText.Quote(input[..(scheme + 3)])}";
        }

        // The digest goes first: it is the only part that contains ':' legitimately after the last '/'.
        var span = input.AsSpan();
        var at = span.IndexOf('@');
        var nameAndTag = at < 0 ? span : span[..at];
        var lastSlash = nameAndTag.LastIndexOf('/');
        if (lastSlash < 0 && nameAndTag.Length > 0 && nameAndTag[0] == '[')
        {
            return "a registry host must be followed by \"/\" and a repository path";
        }

        var colon = nameAndTag[(lastSlash + 1)..].IndexOf(':');
        var name = colon < 0 ? nameAndTag : nameAndTag[..(lastSlash + 1 + colon)];
        if (name.IsEmpty)
        {
            return "repository name is empty";
        }

        var problem = ParseName(name, out var registry, out var path);
        if (problem is not null)
        {
            return problem;
        }

        string? tag = null;
        if (colon >= 0)
        {
            var tagSpan = nameAndTag[(lastSlash + 2 + colon)..];
            problem = CheckTag(tagSpan);
            if (problem is not null)
            {
                return problem;
            }

            tag = tagSpan.ToString();
        }

        string? digest = null;
        if (at >= 0)
        {
            var digestSpan = span[(at + 1)..];
            problem = CheckDigest(digestSpan);
            if (problem is not null)
            {
                return problem;
            }

            digest = digestSpan.ToString();
        }

        reference = new ImageReference(registry!, path!, tag, digest, input);
        return null;
    }

    private static string? ParseName(ReadOnlySpan<char> name, out string? registry, out string? path)
    {
        registry = null;
        path = null;
        var firstSlash = name.IndexOf('/');
        ReadOnlySpan<char> remote;
        var explicitRegistry = firstSlash >= 0 && LooksLikeRegistry(name[..firstSlash]);
        if (explicitRegistry)
        {
            var problem = ParseRegistry(name[..firstSlash], out registry);
            if (problem is not null)
            {
                return problem;
            }

            remote = name[(firstSlash + 1)..];
        }
        else
        {
            registry = ImageReference.DockerHub;
            remote = name;
        }

        var pathProblem = CheckPath(remote);
        if (pathProblem is not null)
        {
            return pathProblem;
        }

        // Docker reads a bare 64-hex string as an image ID, so such a "repository" is never what was meant.
        if (!explicitRegistry && remote.Length == 64 && IsLowerHex(remote))
        {
            return "a 64-character hex string is an image ID, not a repository name";
        }

        var addLibrary = registry == ImageReference.DockerHub && !remote.Contains('/');
        var length = remote.Length + (addLibrary ? Library.Length : 0);
        if (length > MaxPathLength)
        {
            var after = addLibrary ? " (with the implied \"library/\")" : "";
            return $"repository path is {length.ToString(CultureInfo.InvariantCulture)} characters long{after}; at most {MaxPathLength.ToString(CultureInfo.InvariantCulture)} are allowed";
        }

        path = addLibrary ? string.Concat(Library, remote) : remote.ToString();
        return null;
    }

    // Docker's rule: the first component names a registry only if it could not be a Docker Hub namespace.
    // Docker also takes an upper-case first component as a host; that form is rejected here instead,
    // because lower-casing it would turn it into a Docker Hub namespace and break round-tripping.
    private static bool LooksLikeRegistry(ReadOnlySpan<char> first) =>
        first.Contains('.') || first.Contains(':') || first.Equals("localhost", StringComparison.OrdinalIgnoreCase);

    private static string? ParseRegistry(ReadOnlySpan<char> text, out string? registry)
    {
        registry = null;
        ReadOnlySpan<char> host;
        ReadOnlySpan<char> rest;
        if (text[0] == '[')
        {
            var close = text.IndexOf(']');
            if (close < 0)
            {
                return $"IPv6 registry host {ImageText.Quote(text.ToString())} is missing its closing \"]\"";
            }

            host = text[..(close + 1)];
            var address = host[1..^1];
            if (address.IsEmpty || !IsIPv6Text(address))
            {
                return $"IPv6 registry host {ImageText.Quote(host.ToString())} is not a valid IPv6 address";
            }

            rest = text[(close + 1)..];
            if (!rest.IsEmpty && rest[0] != ':')
            {
                return $"IPv6 registry host {ImageText.Quote(host.ToString())} must be followed by \":port\" or \"/\"";
            }
        }
        else
        {
            var colon = text.IndexOf(':');
            host = colon < 0 ? text : text[..colon];
            rest = colon < 0 ? [] : text[colon..];
            var problem = CheckHostName(host);
            if (problem is not null)
            {
                return problem;
            }
        }

        string? port = null;
        if (!rest.IsEmpty)
        {
            var problem = CheckPort(rest[1..], out port);
            if (problem is not null)
            {
                return problem;
            }
        }

        var lowerHost = host.ToString().ToLowerInvariant();
        // An explicit :443 is the HTTPS default: "registry-1.docker.io:443/x" is the same registry as "docker.io/x".
        registry = port is null or ImageText.DefaultPort ? ImageText.NormalizeHost(lowerHost) : lowerHost + ":" + port;
        return null;
    }

    private static bool IsIPv6Text(ReadOnlySpan<char> address)
    {
        // The grammar allows only hex digits and ':' here (no zone, no embedded IPv4); IPAddress then
        // rejects shapes like "1:2" that the character class alone would let through.
        foreach (var c in address)
        {
            if (!char.IsAsciiHexDigit(c) && c != ':')
            {
                return false;
            }
        }

        return IPAddress.TryParse(address, out var parsed) && parsed.AddressFamily == AddressFamily.InterNetworkV6;
    }

    private static string? CheckHostName(ReadOnlySpan<char> host)
    {
        if (host.IsEmpty)
        {
            return "registry host is empty";
        }

        var labelStart = 0;
        for (var i = 0; i <= host.Length; i++)
        {
            if (i < host.Length && host[i] != '.')
            {
                var c = host[i];
                if (!char.IsAsciiLetterOrDigit(c) && c != '-')
                {
                    return $"registry host {ImageText.Quote(host.ToString())} contains invalid character {ImageText.QuoteChar(c)}";
                }

                continue;
            }

            var label = host[labelStart..i];
            if (label.IsEmpty)
            {
                return $"registry host {ImageText.Quote(host.ToString())} has an empty label";
            }

            if (label[0] == '-' || label[^1] == '-')
            {
                return $"registry host {ImageText.Quote(host.ToString())} has a label that starts or ends with \"-\"";
            }

            labelStart = i + 1;
        }

        return null;
    }

    private static string? CheckPort(ReadOnlySpan<char> text, out string? port)
    {
        port = null;
        if (text.IsEmpty)
        {
            return "registry port is empty";
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return $"registry port {ImageText.Quote(text.ToString())} is not a number";
            }
        }

        // Leading zeros are canonicalized away: "localhost:05000" is the same registry as "localhost:5000".
        var digits = text.TrimStart('0');
        var value = 0;
        if (digits.Length <= 5)
        {
            foreach (var c in digits)
            {
                value = (value * 10) + (c - '0');
            }
        }

        if (digits.Length > 5 || value is < 1 or > 65535)
        {
            var shown = text.Length <= 12 ? text.ToString() : string.Concat(text[..12], "...");
            return $"port {shown} is out of range 1-65535";
        }

        port = value.ToString(CultureInfo.InvariantCulture);
        return null;
    }

    private static string? CheckPath(ReadOnlySpan<char> remote)
    {
        if (remote.IsEmpty)
        {
            return "repository path is empty";
        }

        foreach (var c in remote)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                return "repository name must be lowercase";
            }
        }

        if (remote[0] == '/')
        {
            return "repository path must not start with \"/\"";
        }

        if (remote[^1] == '/')
        {
            return "repository path must not end with \"/\"";
        }

        var start = 0;
        for (var i = 0; i <= remote.Length; i++)
        {
            if (i < remote.Length && remote[i] != '/')
            {
                continue;
            }

            var problem = CheckPathComponent(remote[start..i]);
            if (problem is not null)
            {
                return problem;
            }

            start = i + 1;
        }

        return null;
    }

    private static string? CheckPathComponent(ReadOnlySpan<char> component)
    {
        if (component.IsEmpty)
        {
            return "repository path has an empty component (\"//\")";
        }

        foreach (var c in component)
        {
            if (!ImageText.IsLowerAlphaNumeric(c) && c is not ('.' or '_' or '-'))
            {
                return $"repository path contains invalid character {ImageText.QuoteChar(c)}";
            }
        }

        if (!ImageText.IsLowerAlphaNumeric(component[0]) || !ImageText.IsLowerAlphaNumeric(component[^1]))
        {
            return $"path component {ImageText.Quote(component.ToString())} must start and end with a lowercase letter or digit";
        }

        var i = 0;
        while (i < component.Length)
        {
            if (ImageText.IsLowerAlphaNumeric(component[i]))
            {
                i++;
                continue;
            }

            var end = i;
            while (!ImageText.IsLowerAlphaNumeric(component[end]))
            {
                end++;
            }

            var separator = component[i..end];
            if (!IsSeparator(separator))
            {
                return $"path component {ImageText.Quote(component.ToString())} has invalid separator {ImageText.Quote(separator.ToString())} (use \".\", \"_\", \"__\" or dashes)";
            }

            i = end;
        }

        return null;
    }

    private static bool IsSeparator(ReadOnlySpan<char> separator) =>
        separator is "." or "_" or "__" || !separator.ContainsAnyExcept('-');

    private static string? CheckTag(ReadOnlySpan<char> tag)
    {
        if (tag.IsEmpty)
        {
            return "tag is empty (nothing after \":\")";
        }

        foreach (var c in tag)
        {
            if (!ImageText.IsTagCharacter(c))
            {
                return $"tag {ImageText.Quote(tag.ToString())} contains invalid character {ImageText.QuoteChar(c)}";
            }
        }

        if (tag[0] is '.' or '-')
        {
            return $"tag {ImageText.Quote(tag.ToString())} must start with a letter, digit or \"_\"";
        }

        if (tag.Length > MaxTagLength)
        {
            return $"tag is {tag.Length.ToString(CultureInfo.InvariantCulture)} characters long; at most {MaxTagLength.ToString(CultureInfo.InvariantCulture)} are allowed";
        }

        return null;
    }

    private static string? CheckDigest(ReadOnlySpan<char> digest)
    {
        if (digest.IsEmpty)
        {
            return "digest is empty (nothing after \"@\")";
        }

        var colon = digest.IndexOf(':');
        if (colon < 0)
        {
            return $"digest {ImageText.Quote(digest.ToString())} must be algorithm:hex, e.g. sha256:<64 hex characters>";
        }

        var algorithm = digest[..colon];
        var expected = algorithm switch
        {
            "sha256" => 64,
            "sha512" => 128,
            _ => 0,
        };
        if (expected == 0)
        {
            return $"digest algorithm {ImageText.Quote(algorithm.ToString())} is not supported (sha256 or sha512)";
        }

        var hex = digest[(colon + 1)..];
        foreach (var c in hex)
        {
            if (char.IsAsciiHexDigitUpper(c) && !char.IsAsciiDigit(c))
            {
                return "digest hex must be lowercase";
            }

            if (!char.IsAsciiHexDigitLower(c))
            {
                return $"digest contains non-hex character {ImageText.QuoteChar(c)}";
            }
        }

        if (hex.Length != expected)
        {
            var alg = algorithm.ToString();
            return $"{alg} digest must have {expected.ToString(CultureInfo.InvariantCulture)} hex characters, not {hex.Length.ToString(CultureInfo.InvariantCulture)}";
        }

        return null;
    }

    private static bool IsLowerHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigitLower(c))
            {
                return false;
            }
        }

        return true;
    }
}
