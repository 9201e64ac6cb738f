using System.Globalization;
using System.Text;

namespace AdmissionGuard.Images;

/// <summary>Character rules and safe quoting shared by the parser and the pattern compilers.</summary>
internal static class ImageText
{
    private const int MaxQuotedLength = 80;

    private static readonly string[] DockerHubAliases = ["index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"];

    /// <summary>
    /// Quotes untrusted text for an error message: escaped so a crafted image cannot forge log lines
    /// or hide characters, and truncated so a megabyte of input does not become a megabyte of message.
    /// </summary>
    public static string Quote(string value)
    {
        var builder = new StringBuilder(Math.Min(value.Length, MaxQuotedLength) + 16);
        builder.Append('"');
        var shown = Math.Min(value.Length, MaxQuotedLength);
        for (var i = 0; i < shown; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c is >= ' ' and <= '~')
                    {
                        builder.Append(c);
                    }
                    else
                    {
                        builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }

                    break;
            }
        }

        builder.Append('"');
        if (value.Length > shown)
        {
            builder.Append("... (").Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(" characters)");
        }

        return builder.ToString();
    }

    /// <summary>Index of the first character outside printable ASCII (space excluded), or -1.</summary>
    public static int IndexOfForbidden(ReadOnlySpan<char> value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] is <= ' ' or > '~')
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Says what the forbidden character at <paramref name="index"/> is, by code point only (never the glyph).</summary>
    public static string DescribeForbidden(string value, int index)
    {
        var c = value[index];
        var at = index.ToString(CultureInfo.InvariantCulture);
        if (char.IsHighSurrogate(c) && index + 1 < value.Length && char.IsLowSurrogate(value[index + 1]))
        {
            return $"contains non-ASCII character {CodePoint(char.ConvertToUtf32(c, value[index + 1]))} at index {at}; only ASCII is allowed";
        }

        if (char.IsSurrogate(c))
        {
            return $"contains an unpaired surrogate {CodePoint(c)} at index {at}";
        }

        if (c is '\n' or '\r')
        {
            return $"contains a line break ({CodePoint(c)}) at index {at}";
        }

        if (char.IsWhiteSpace(c))
        {
            return $"contains whitespace ({CodePoint(c)}) at index {at}";
        }

        if (char.IsControl(c))
        {
            return $"contains control character {CodePoint(c)} at index {at}";
        }

        if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format)
        {
            return $"contains invisible character {CodePoint(c)} at index {at}";
        }

        return $"contains non-ASCII character {CodePoint(c)} at index {at}; only ASCII is allowed";
    }

    /// <summary>The HTTPS default port: written explicitly it names the same registry as no port at all.</summary>
    public const string DefaultPort = "443";

    /// <summary><c>host:443</c> becomes <c>host</c>; every other port stays.</summary>
    public static string WithoutDefaultPort(string registry) =>
        registry.EndsWith(":" + DefaultPort, StringComparison.Ordinal) && (registry[0] != '[' || registry[^5] == ']')
            ? registry[..^(DefaultPort.Length + 1)]
            : registry;

    /// <summary>Maps the host names Docker Hub is also known by to <c>docker.io</c>; expects lower case.</summary>
    public static string NormalizeHost(string lowerHost)
    {
        foreach (var alias in DockerHubAliases)
        {
            if (string.Equals(lowerHost, alias, StringComparison.Ordinal))
            {
                return ImageReference.DockerHub;
            }
        }

        return lowerHost;
    }

    /// <summary>A registry segment has a port when a ':' follows the host (an IPv6 host's colons are inside brackets).</summary>
    public static bool HasPort(ReadOnlySpan<char> registry)
    {
        if (registry.Length > 0 && registry[0] == '[')
        {
            var close = registry.IndexOf(']');
            return close >= 0 && close + 1 < registry.Length && registry[close + 1] == ':';
        }

        return registry.Contains(':');
    }

    public static bool IsLowerAlphaNumeric(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);

    public static bool IsTagCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-';

    /// <summary>Quotes a single (already screened, printable ASCII) character.</summary>
    public static string QuoteChar(char c) => c == '\'' ? "\"'\"" : $"'{c}'";

    private static string CodePoint(int value) => "U+" + value.ToString("X4", CultureInfo.InvariantCulture);
}
