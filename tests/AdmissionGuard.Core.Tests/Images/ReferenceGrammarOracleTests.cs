using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using AdmissionGuard.Images;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AdmissionGuard.Tests.Images;

/// <summary>
/// The hand-written parser against an independent oracle: the distribution reference grammar as a regular
/// expression, Docker's domain split, and the few rules this product documents beyond the grammar.
/// </summary>
/// <remarks>
/// <para>Provenance of the grammar: the productions published in the doc comment of
/// <c>github.com/distribution/reference</c> <c>reference.go</c> (v0.6.0) and the expressions of its
/// <c>regexp.go</c>: <c>domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/</c>,
/// <c>host := domain-name | "[" IPv6 "]"</c> with <c>\[(?:[a-fA-F0-9:]+)\]</c>, <c>port-number := /[0-9]+/</c>,
/// <c>alpha-numeric := /[a-z0-9]+/</c>, <c>separator := /[_.]|__|[-]+/</c>,
/// <c>path-component := alpha-numeric [separator alpha-numeric]*</c>, <c>tag := /[\w][\w.-]{0,127}/</c>,
/// <c>digest := algorithm ":" /[0-9a-fA-F]{32,}/</c> with algorithm components <c>/[A-Za-z][A-Za-z0-9]*/</c>
/// joined by <c>/[-_+.]/</c>. The domain split is <c>splitDockerDomain</c> in its <c>normalize.go</c>: the first
/// component is a registry when it contains "." or ":" or is "localhost".
/// Written here from those published productions (Go's <c>\w</c> is ASCII, so it is spelled out; <c>\A</c>/<c>\z</c>
/// instead of <c>^</c>/<c>$</c>, which in .NET accept a trailing newline).</para>
/// <para>Rules this product adds (README and API.md): ports are 1–65535 (leading zeros dropped), an IPv6 host
/// must be a real IPv6 address, digests are sha256 (64) or sha512 (128) lowercase hex, an upper-case first
/// component is rejected rather than read as a host, a bare 64-hex name is an image ID, and an explicit :443 and
/// Docker Hub's aliases normalize away.</para>
/// </remarks>
public class ReferenceGrammarOracleTests
{
    private const string DomainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private const string DomainName = DomainComponent + @"(?:\." + DomainComponent + ")*";
    private const string Ipv6 = @"\[(?:[a-fA-F0-9:]+)\]";
    private const string Host = "(?:" + DomainName + "|" + Ipv6 + ")";
    private const string Domain = Host + "(?::[0-9]+)?";
    private const string PathComponent = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
    private const string RemoteName = PathComponent + "(?:/" + PathComponent + ")*";
    private const string Name = "(?:" + Domain + "/)?" + RemoteName;
    private const string Tag = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
    private const string Digest = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";

    private static readonly Regex Reference = new(
        @"\A(?<name>" + Name + @")(?::(?<tag>" + Tag + @"))?(?:@(?<digest>" + Digest + @"))?\z",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture);

    private static readonly Regex DomainOnly = new(@"\A(?<host>" + Host + @")(?::(?<port>[0-9]+))?\z", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture);
    private static readonly Regex RemoteOnly = new(@"\A" + RemoteName + @"\z", RegexOptions.CultureInvariant);

    private static readonly string Hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static readonly string[] Registries =
    [
        "", "", "", "docker.io/", "index.docker.io/", "registry-1.docker.io/", "registry-1.docker.io:443/",
        "registry.hub.docker.com/", "localhost/", "LocalHost/", "localhost:5000/", "localhost:05000/", "localhost:0/",
        "localhost:65535/", "localhost:65536/", "host:30500/", "host:300500/", "host:/", "Registry.Example.COM/",
        "registry.example.com:443/", "registry.example.com:8443/", "example.com-/", "-example.com/", "example./",
        ".example.com/", "ex..ample.com/", "ex-ample.com/", "a.b-c.d/", "a.b--c.d/", "10.0.0.1:8080/", "[::1]/",
        "[::1]:5000/", "[2001:DB8::1]/", "[::1/", "[zz::1]/", "[1:2]/", "[]/", "my_host.com/", "a_b.c/", "Upper/",
        "dhi.io/",
    ];

    private static readonly string[] Components =
    [
        "nginx", "a", "0", "my.app", "my_app", "my__app", "my-app", "my---app", "my___app", "my..app", "my._app",
        "-app", "app-", "_app", "app.", "Nginx", "", "a1b2", Hex64,
    ];

    private static readonly string[] Tags =
    [
        "", "", ":1.25", ":latest", ":_x", ":X.y-Z", ":.x", ":-x", ":", ":a+b", ":a/b", ":" + new string('t', 128),
        ":" + new string('t', 129),
    ];

    private static readonly string[] Digests =
    [
        "", "", "@sha256:" + Hex64, "@sha512:" + Hex64 + Hex64, "@sha256:" + Hex64[..63], "@sha256:" + Hex64 + "0",
        "@sha256:" + Hex64.ToUpperInvariant(), "@md5:" + Hex64[..32], "@sha256", "@", "@sha256:" + Hex64[..31] + "g" + Hex64[32..],
        "@sha256+b64:" + Hex64,
    ];

    [Property(MaxTest = 4000)]
    public Property TryParse_GrammarShapedReference_AgreesWithDistributionGrammarOracle()
    {
        var path =
            from count in Gen.Choose(1, 3)
            from parts in Gen.Elements(Components).ArrayOf(count)
            select string.Join('/', parts);
        var references =
            from registry in Gen.Elements(Registries)
            from p in path
            from tag in Gen.Elements(Tags)
            from digest in Gen.Elements(Digests)
            select registry + p + tag + digest;
        return Prop.ForAll(Arb.From(references), AgreesProperty);
    }

    [Property(MaxTest = 3000)]
    public Property TryParse_GrammarAlphabetString_AgreesWithDistributionGrammarOracle()
    {
        var text = Gen.Elements("abz09AZ.-_:/@[]".ToCharArray()).ArrayOf().Select(chars => new string(chars));
        return Prop.ForAll(Arb.From(text), AgreesProperty);
    }

    [Theory]
    [InlineData("registry.example.com/my_team/app:1")]
    [InlineData("host:30500/app")]
    [InlineData("host:65535/app")]
    [InlineData("a.b-c.d/app")]
    [InlineData("registry.example.com/app")]
    [InlineData("example.com-/app")]
    [InlineData("example./app")]
    [InlineData("ex..ample.com/app")]
    [InlineData("host:65536/app")]
    [InlineData("host:0/app")]
    [InlineData("registry.example.com/a..b")]
    public void TryParse_NamedCase_AgreesWithOracle(string reference)
    {
        Assert.Null(Disagreement(reference));
    }

    [Theory]
    [InlineData("example.com-/app", "registry host")]
    [InlineData("registry.example-/app", "starts or ends with \"-\"")]
    [InlineData("registry.-example/app", "starts or ends with \"-\"")]
    [InlineData("registry.example./app", "empty label")]
    [InlineData("registry..example/app", "empty label")]
    public void TryParse_BadLastOrInnerDnsLabel_IsRejected(string reference, string reason)
    {
        // The last label of a host is checked like every other one: a host ending in "-" or "." never reaches a registry.
        Assert.False(ImageReferenceParser.TryParse(reference, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    private static Property AgreesProperty(string input)
    {
        var disagreement = Disagreement(input);
        return (disagreement is null).Label(disagreement ?? "");
    }

    /// <summary>Null when the parser's verdict and components are the oracle's; otherwise how they differ.</summary>
    private static string? Disagreement(string input)
    {
        var expected = Expect(input);
        var parsed = ImageReferenceParser.TryParse(input, out var actual, out var error);
        if (expected is null)
        {
            return parsed ? $"\"{input}\": the grammar oracle rejects it, the parser gave {actual!.Normalized}" : null;
        }

        if (!parsed)
        {
            return $"\"{input}\": the grammar oracle accepts it as {expected.Value}, the parser said: {error}";
        }

        var got = (actual!.Registry, actual.Path, actual.Tag, actual.Digest);
        if (got != expected.Value)
        {
            return $"\"{input}\": oracle {expected.Value}, parser {got}";
        }

        // The normalized text is registry/path[:tag][@digest], whether or not the input was already written that way.
        var (registry, path, tag, digest) = expected.Value;
        var normalized = registry + "/" + path + (tag is null ? "" : ":" + tag) + (digest is null ? "" : "@" + digest);
        return actual.Normalized == normalized ? null : $"\"{input}\": normalized {normalized}, parser {actual.Normalized}";
    }

    /// <summary>(registry, path, tag, digest) as the grammar, Docker's split and the documented rules give them; null for invalid.</summary>
    private static (string Registry, string Path, string? Tag, string? Digest)? Expect(string input)
    {
        var match = Reference.Match(input);
        if (!match.Success)
        {
            return null;
        }

        var name = match.Groups["name"].Value;
        var tag = match.Groups["tag"].Success ? match.Groups["tag"].Value : null;
        var digest = match.Groups["digest"].Success ? match.Groups["digest"].Value : null;

        // splitDockerDomain: the first component is a domain when it holds "." or ":" or is "localhost".
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? null : name[..slash];
        string registry;
        string remote;
        if (first is not null && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || string.Equals(first, "localhost", StringComparison.OrdinalIgnoreCase)))
        {
            var domain = DomainOnly.Match(first);
            remote = name[(slash + 1)..];
            if (!domain.Success || !RemoteOnly.IsMatch(remote))
            {
                return null;
            }

            var host = domain.Groups["host"].Value.ToLowerInvariant();
            if (host.StartsWith('[') && !(IPAddress.TryParse(host[1..^1], out var address) && address.AddressFamily == AddressFamily.InterNetworkV6))
            {
                return null;
            }

            string? port = null;
            if (domain.Groups["port"].Success)
            {
                var digits = domain.Groups["port"].Value.TrimStart('0');
                if (digits.Length is 0 or > 5 || int.Parse(digits, CultureInfo.InvariantCulture) > 65535)
                {
                    return null;
                }

                port = digits == "443" ? null : digits;
            }

            registry = port is not null ? host + ":" + port
                : host is "index.docker.io" or "registry-1.docker.io" or "registry.hub.docker.com" ? "docker.io"
                : host;
        }
        else
        {
            // Docker would read an upper-case first component as a host; this product rejects it (the grammar's path
            // is lowercase, so the whole remote must match it), and a bare 64-hex name is an image ID.
            if (!RemoteOnly.IsMatch(name) || (name.Length == 64 && name.All(c => char.IsAsciiHexDigitLower(c))))
            {
                return null;
            }

            registry = "docker.io";
            remote = name;
        }

        if (digest is not null && !(digest.StartsWith("sha256:", StringComparison.Ordinal) && digest.Length == 7 + 64
            || digest.StartsWith("sha512:", StringComparison.Ordinal) && digest.Length == 7 + 128)
            || digest is not null && digest[7..].Any(c => !char.IsAsciiHexDigitLower(c)))
        {
            return null;
        }

        var path = registry == "docker.io" && !remote.Contains('/', StringComparison.Ordinal) ? "library/" + remote : remote;
        return path.Length > ImageReferenceParser.MaxPathLength ? null : (registry, path, tag, digest);
    }
}
