using AdmissionGuard.Images;
using static AdmissionGuard.Tests.Images.TestImages;

namespace AdmissionGuard.Tests.Images;

public class RegistryPrefixTests
{
    public static TheoryData<string, string, bool> Cases => new()
    {
        { "dhi.io", "dhi.io/nginx", true },
        { "dhi.io", "dhi.io/a/b:1@" + Sha256, true },
        { "dhi.io", "dhi.io.evil.com/x", false },
        { "dhi.io", "evil.com/dhi.io/x", false },
        { "dhi.io", "nginx", false },
        { "docker.io/myorg", "myorg/app", true },
        { "docker.io/myorg", "docker.io/myorg/a/b", true },
        { "docker.io/myorg", "myorgevil/x", false },
        { "docker.io/myorg", "nginx", false },
        { "docker.io", "nginx", true },
        { "docker.io", "registry-1.docker.io/x/y", true },
        { "index.docker.io/library", "nginx", true },
        { "registry.hub.docker.com", "bitnami/redis", true },
        { "Registry.Example.com", "registry.example.com/x", true },
        { "gcr.io/distroless/static", "gcr.io/distroless/static:nonroot", true },
        { "gcr.io/distroless/static", "gcr.io/distroless/static-debian12", false },
        { "gcr.io/distroless/static", "gcr.io/distroless", false },
        // A repository shorter than the entry never matches, even where its last segment would match the entry's next.
        { "registry.example.com/a/a", "registry.example.com/a", false },
        { "registry.example.com/team/*", "registry.example.com/team", false },
        { "registry.example.com/team-*", "registry.example.com/team-a/app", true },
        { "registry.example.com/team-*", "registry.example.com/team-a", true },
        { "registry.example.com/team-*", "registry.example.com/team-a/b/c", true },
        { "registry.example.com/team-*", "registry.example.com/other/app", false },
        { "registry.example.com/team-*", "registry.example.com/teamx/app", false },
        { "registry.example.com/team-*", "registry.example.com.evil/team-a/app", false },
        { "*.example.com", "a.example.com/x", true },
        { "*.example.com", "a.b.example.com/x", true },
        { "*.example.com", "example.com/x", false },
        { "*.example.com", "a.example.com:5000/x", false },
        { "*.example.com", "a.example.com.evil/x", false },

        // A registry is host[:port]: no port in the entry means no port in the image.
        { "localhost", "localhost/x", true },
        { "localhost", "localhost:5000/x", false },
        { "localhost:5000", "localhost:5000/x", true },
        { "localhost:5000", "localhost/x", false },
        { "localhost:5000", "localhost:5001/x", false },
        { "localhost:5000", "localhost:50000/x", false },
        { "localhost:05000", "localhost:5000/x", true },
        { "localhost:*", "localhost:5000/x", true },
        { "localhost:*", "localhost/x", false },
        { "LOCALHOST", "localhost/x", true },
        { "*", "nginx", true },
        { "*", "[::1]/x", true },
        { "*", "localhost:5000/x", false },
        { "*", "[::1]:5000/x", false },
        { "[::1]:5000", "[::1]:5000/x", true },
        { "[::1]:5000", "[::1]/x", false },
        { "[::1]", "[::1]/x", true },
        { "[::1]", "[::1]:5000/x", false },
        { "10.0.0.1:8080/app", "10.0.0.1:8080/app/x:1", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void IsMatch_EntryAndImage_AllowsAsSpecified(string entry, string image, bool expected)
    {
        Assert.True(RegistryPrefix.TryCompile(entry, out var prefix, out var error), error);

        Assert.Equal(expected, prefix.IsMatch(Parse(image)));
    }

    [Theory]
    [InlineData(null, "registry entry is empty")]
    [InlineData("", "registry entry is empty")]
    [InlineData(" dhi.io", "whitespace (U+0020) at index 0")]
    [InlineData("dhi.io\n", "line break")]
    [InlineData("dh\u0131.io", "non-ASCII character U+0131")]
    [InlineData("dhi.io/**", "\"**\" is not allowed")]
    [InlineData("dhi.io/x:1", "tags are not allowed")]
    [InlineData("dhi.io/x@sha256:abc", "digests are not allowed")]
    [InlineData("nginx", "\"nginx\" is not a registry host")]
    [InlineData("myorg/app", "\"myorg\" is not a registry host")]
    [InlineData("dhi.io/", "must not start or end with \"/\"")]
    [InlineData("/dhi.io", "must not start or end with \"/\"")]
    [InlineData("dhi.io//x", "empty segment")]
    [InlineData("https://registry.example.com/team", "an entry has no scheme; write \"registry.example.com/team\"")]
    [InlineData("oci://dhi.io", "an entry has no scheme; write \"dhi.io\"")]
    [InlineData("localhost:0", "port 0 is out of range 1-65535")]
    [InlineData("localhost:70000", "port 70000 is out of range 1-65535")]
    [InlineData("localhost:", "registry port is empty")]
    [InlineData("localhost:abc", "registry port contains invalid character 'a'")]
    [InlineData(":5000", "registry host is empty")]
    [InlineData("dhi.io/Team", "repository path must be lowercase")]
    [InlineData("dh_i.io", "registry host contains invalid character '_'")]
    [InlineData("[::1", "missing its closing \"]\"")]
    [InlineData("[::1]x", "must be followed by \":port\" or \"/\"")]
    [InlineData("registry.example.com/te$m", "repository path contains invalid character '$'")]
    [InlineData("[::g]", "IPv6 registry host contains invalid character 'g'")]
    [InlineData("localhost:1234567890123", "port 123456789012... is out of range 1-65535")]
    public void TryCompile_InvalidEntry_FailsWithReason(string? entry, string reason)
    {
        Assert.False(RegistryPrefix.TryCompile(entry, out var prefix, out var error));

        Assert.Null(prefix);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCompile_ValidEntry_KeepsEntryAsWritten()
    {
        Assert.True(RegistryPrefix.TryCompile("Index.Docker.IO/myorg", out var prefix, out _));

        Assert.Equal("Index.Docker.IO/myorg", prefix.Entry);
        Assert.True(prefix.IsMatch(Parse("myorg/app")));
    }

    [Theory]
    [InlineData("registry.example.com/my_team", "registry.example.com/my_team/app")]
    [InlineData("registry.example.com/my.team", "registry.example.com/my.team/app")]
    [InlineData("registry.example.com/my-team", "registry.example.com/my-team/app")]
    [InlineData("my-registry.example.com", "my-registry.example.com/app")]
    [InlineData("host:30500", "host:30500/app")]
    [InlineData("host:65535", "host:65535/app")]
    [InlineData("host:0030500", "host:30500/app")]
    [InlineData("registry.example.com:443", "registry.example.com/app")]
    [InlineData("localhost:50*", "localhost:5000/app")]
    public void TryCompile_ValidEntryWithSeparatorsOrFiveDigitPort_IsAcceptedAndMatches(string entry, string image)
    {
        // Rejecting one of these would drop the policy that lists it.
        Assert.True(RegistryPrefix.TryCompile(entry, out var prefix, out var error), error);

        Assert.True(prefix.IsMatch(Parse(image)));
    }

    [Theory]
    [InlineData("host:65536", "out of range")]
    [InlineData("host:100000", "out of range")]
    [InlineData("host:0", "out of range")]
    [InlineData("host:5a*", "registry port contains invalid character 'a'")]
    public void TryCompile_PortOutOfRange_FailsWithReason(string entry, string reason)
    {
        Assert.False(RegistryPrefix.TryCompile(entry, out _, out var error));

        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
