using AdmissionGuard.Images;
using static AdmissionGuard.Tests.Images.TestImages;

namespace AdmissionGuard.Tests.Images;

public class ImageGlobTests
{
    public static TheoryData<string, string, bool> Cases => new()
    {
        // "**" crosses segments, partially or wholly.
        { "dhi.io/**", "dhi.io/nginx", true },
        { "dhi.io/**", "dhi.io/a/b", true },
        { "dhi.io/**", "dhi.io/nginx:1.25", true },
        { "dhi.io/**", "dhi.io/nginx@" + Sha256, true },
        { "dhi.io/**", "dhi.io.evil.com/nginx", false },
        { "dhi.io/**", "nginx", false },
        { "**", "nginx", true },
        { "**", "localhost:5000/a/b:1@" + Sha256, true },
        { "**/nginx", "dhi.io/a/nginx", true },
        { "**/nginx", "dhi.io/a/xnginx", false },
        { "dhi.io/**/nginx", "dhi.io/nginx", true },
        { "dhi.io/**/nginx", "dhi.io/a/b/nginx", true },
        { "dhi.io/**/nginx", "dhi.io/anginx", false },
        { "dhi.io/**-hardened", "dhi.io/a/b-hardened", true },

        // "*" stays within one segment.
        { "docker.io/library/*", "nginx", true },
        { "docker.io/library/*", "docker.io/library/a/b", false },
        { "docker.io/library/*", "bitnami/redis", false },
        { "*/nginx", "dhi.io/nginx", true },
        { "*/nginx", "dhi.io/a/nginx", false },
        { "*/library/nginx", "nginx:1.25", true },
        { "gcr.io/*", "gcr.io/app", true },
        { "gcr.io/*", "gcr.io/distroless/static", false },
        { "docker.io/library/ngin*", "nginx", true },
        { "docker.io/library/ngin*", "docker.io/library/nginx/x", false },
        { "registry.example.com/*a*b*", "registry.example.com/xaybz", true },
        { "registry.example.com/*a*b*", "registry.example.com/xbya", false },

        // Without ":" or "@" a pattern is about the repository only.
        { "docker.io/library/nginx", "nginx", true },
        { "docker.io/library/nginx", "nginx:1.25", true },
        { "docker.io/library/nginx", "nginx@" + Sha256, true },
        { "docker.io/library/nginx", "index.docker.io/nginx", true },
        { "docker.io/library/nginx", "docker.io/library/nginx-extra", false },
        { "docker.io/library/nginx", "docker.io/library/nginx/extra", false },

        // Segment boundaries: a repository pattern is never a prefix match.
        { "registry.example.com/mycompany", "registry.example.com/mycompany:1", true },
        { "registry.example.com/mycompany", "registry.example.com/mycompany/app", false },
        { "registry.example.com/mycompany", "registry.example.com/mycompanyevil", false },
        { "docker.io/mycompany", "docker.io/mycompanyevil/app", false },
        { "docker.io/mycompany", "docker.io/mycompany/app", false },
        { "docker.io/mycompany/**", "mycompany/app", true },
        { "docker.io/mycompany/**", "mycompanyevil/app", false },

        // Patterns are not normalized beyond the registry part.
        { "nginx", "nginx", false },
        { "library/nginx", "nginx", false },
        { "index.docker.io/library/nginx", "nginx", true },
        { "registry-1.docker.io/library/**", "nginx", true },
        { "Docker.IO/library/nginx", "nginx", true },
        { "REGISTRY.example.com/app", "registry.example.com/app", true },

        // Tags: ":" after the last "/".
        { "**:*-dev", "docker.io/library/nginx:1.25-dev", true },
        { "**:*-dev", "nginx:1.25", false },
        { "**:*-dev", "nginx", false },
        { "**:*-dev", "nginx@" + Sha256, false },
        { "**:*-sfw-dev", "dhi.io/python:3.12-sfw-dev", true },
        { "**:latest", "nginx", true },
        { "**:latest", "nginx:latest", true },
        { "**:latest", "nginx:1", false },
        { "**:latest", "nginx@" + Sha256, false },
        { "**:latest", "nginx:latest@" + Sha256, true },
        { "**:*", "nginx", true },
        { "**:*", "nginx@" + Sha256, false },
        { "**:*-hardened", "docker.io/library/nginx:1.25-hardened", true },
        { "**:hardened", "nginx:hardened", true },
        { "**:hardened", "nginx:1-hardened", false },
        { "**:V1*", "nginx:V1.2", true },
        { "**:V1*", "nginx:v1.2", false },
        { "docker.io/bitnami/legacy:*", "bitnami/legacy:9", true },
        { "docker.io/bitnami/legacy:*", "bitnami/legacy-new:9", false },

        // A ":" before the last "/" is a registry port, not a tag.
        { "localhost:5000/foo", "localhost:5000/foo:1", true },
        { "localhost:5000/foo", "localhost:5000/foo", true },
        { "localhost:5000/foo", "localhost/foo", false },
        { "localhost:5000/foo", "localhost:5001/foo", false },
        { "localhost:5000/foo:1", "localhost:5000/foo:1", true },
        { "localhost:5000/foo:1", "localhost:5000/foo:2", false },
        { "localhost:*/**", "localhost:5000/x", true },
        { "localhost:*/**", "localhost/x", false },
        { "[::1]:5000/**", "[::1]:5000/x", true },
        { "[::1]:5000/**", "[::1]/x", false },

        // Digests: "@".
        { "**@sha256:*", "nginx@" + Sha256, true },
        { "**@sha256:*", "nginx:1@" + Sha256, true },
        { "**@sha256:*", "nginx:1", false },
        { "**@sha256:*", "nginx", false },
        { "**@sha256:*", "nginx@" + Sha512, false },
        { "docker.io/library/nginx:1.25@" + Sha256, "nginx:1.25@" + Sha256, true },
        { "docker.io/library/nginx:1.25@" + Sha256, "nginx:1.26@" + Sha256, false },
        { "docker.io/library/nginx:1.25@" + Sha256, "nginx:1.25", false },
        { "docker.io/library/nginx@" + Sha256, "nginx:9@" + Sha256, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void IsMatch_PatternAndImage_MatchesAsSpecified(string pattern, string image, bool expected)
    {
        Assert.True(ImageGlob.TryCompile(pattern, out var glob, out var error), error);

        Assert.Equal(expected, glob.IsMatch(Parse(image)));
    }

    [Theory]
    [InlineData(null, "image pattern is empty")]
    [InlineData("", "image pattern is empty")]
    [InlineData(" ", "whitespace (U+0020)")]
    [InlineData("dhi.io/** ", "whitespace (U+0020) at index 9")]
    [InlineData("dhi.io/**\n", "line break")]
    [InlineData("dhi.io/\tx", "whitespace (U+0009)")]
    [InlineData("nginx\u0000", "control character U+0000")]
    [InlineData("dhi.io/\u200Bnginx", "invisible character U+200B")]
    [InlineData("dhi.io/\u0144ginx", "non-ASCII character U+0144")]
    [InlineData("***", "\"***\" is not a wildcard")]
    [InlineData("dhi.io/***", "\"***\" is not a wildcard")]
    [InlineData("dhi.io//x", "empty segment")]
    [InlineData("/x", "must not start or end with \"/\"")]
    [InlineData("dhi.io/", "must not start or end with \"/\"")]
    [InlineData("**:", "tag part is empty")]
    [InlineData("**@", "digest part is empty")]
    [InlineData(":latest", "repository part is empty")]
    [InlineData("**@a@b", "only one \"@\"")]
    [InlineData("a@b/c", "\"@\" may only start a digest")]
    [InlineData("docker.io/library/NGINX", "repository path must be lowercase")]
    [InlineData("NGINX", "repository path must be lowercase")]
    [InlineData("dhi.io/ngin?x", "invalid character '?'")]
    [InlineData("dhi_.io/x", "registry part contains invalid character '_'")]
    [InlineData("**:a:b", "tag part contains invalid character ':'")]
    [InlineData("**@SHA256:*", "digest part contains invalid character 'S'")]
    public void TryCompile_InvalidPattern_FailsWithReason(string? pattern, string reason)
    {
        Assert.False(ImageGlob.TryCompile(pattern, out var glob, out var error));

        Assert.Null(glob);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCompile_ValidPattern_KeepsPatternAsWritten()
    {
        Assert.True(ImageGlob.TryCompile("Index.Docker.IO/library/*", out var glob, out _));

        Assert.Equal("Index.Docker.IO/library/*", glob.Pattern);
        Assert.True(glob.IsMatch(Parse("nginx")));
    }

    [Fact]
    public void IsMatch_ManyStarsAgainstLongPath_IsFalseWithoutBacktracking()
    {
        // Its speed is measured by GlobBenchmarks in the benchmark project (no timing in a pass/fail test); here
        // only the answer, which a naive backtracking matcher would take minutes to reach.
        Assert.True(ImageGlob.TryCompile("**a**a**a**a**a**a**a**a**a**b", out var glob, out _));
        var image = Parse("registry.example.com/" + string.Join('/', Enumerable.Repeat(new string('a', 30), 8)));

        Assert.False(glob.IsMatch(image));
        Assert.True(glob.IsMatch(Parse("registry.example.com/" + string.Join('/', Enumerable.Repeat(new string('a', 30), 8)) + "b")));
    }

    [Theory]
    [InlineData("registry.example.com/my_team/**", "registry.example.com/my_team/app:1")]
    [InlineData("registry.example.com/my.team/**", "registry.example.com/my.team/app")]
    [InlineData("registry.example.com/my-team/**", "registry.example.com/my-team/app")]
    [InlineData("registry.example.com/my__team/*", "registry.example.com/my__team/app")]
    [InlineData("my-registry.example.com/app", "my-registry.example.com/app")]
    [InlineData("host:30500/**", "host:30500/app")]
    [InlineData("[::1]:5000/app", "[::1]:5000/app")]
    [InlineData("registry.example.com:443/app", "registry.example.com/app")]
    public void TryCompile_ValidPatternWithSeparatorsOrPort_IsAcceptedAndMatches(string pattern, string image)
    {
        // Rejecting one of these would drop its policy: every character here is one a normalized reference can hold.
        Assert.True(ImageGlob.TryCompile(pattern, out var glob, out var error), error);

        Assert.True(glob.IsMatch(Parse(image)));
    }
}
