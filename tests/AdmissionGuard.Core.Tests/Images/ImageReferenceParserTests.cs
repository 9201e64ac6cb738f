using AdmissionGuard.Images;
using static AdmissionGuard.Tests.Images.TestImages;

namespace AdmissionGuard.Tests.Images;

public class ImageReferenceParserTests
{
    // Expected values are derived by hand from the distribution grammar and Docker's normalization.
    public static TheoryData<string, string, string, string?, string?> ValidReferences => new()
    {
        { "nginx", "docker.io", "library/nginx", null, null },
        { "nginx:1.25", "docker.io", "library/nginx", "1.25", null },
        { "nginx:latest", "docker.io", "library/nginx", "latest", null },
        { "library/nginx", "docker.io", "library/nginx", null, null },
        { "docker.io/library/nginx", "docker.io", "library/nginx", null, null },
        { "docker.io/nginx", "docker.io", "library/nginx", null, null },
        { "index.docker.io/nginx", "docker.io", "library/nginx", null, null },
        { "registry-1.docker.io/x/y", "docker.io", "x/y", null, null },
        { "registry.hub.docker.com/library/redis:7", "docker.io", "library/redis", "7", null },
        { "Index.Docker.IO/nginx", "docker.io", "library/nginx", null, null },
        // An explicit :443 is the HTTPS default and is dropped; every other port stays.
        { "docker.io:443/x", "docker.io", "library/x", null, null },
        { "registry-1.docker.io:443/library/nginx", "docker.io", "library/nginx", null, null },
        { "registry.example.com:443/x", "registry.example.com", "x", null, null },
        { "registry.example.com:4443/x", "registry.example.com:4443", "x", null, null },
        { "bitnami/redis:7.2", "docker.io", "bitnami/redis", "7.2", null },
        { "localhost/x", "localhost", "x", null, null },
        { "localhost/nginx", "localhost", "nginx", null, null },
        { "localhost/library/nginx", "localhost", "library/nginx", null, null },
        { "localhost:5000/x", "localhost:5000", "x", null, null },
        { "LOCALHOST:5000/x", "localhost:5000", "x", null, null },
        { "localhost:05000/x", "localhost:5000", "x", null, null },
        { "localhost:1/a", "localhost:1", "a", null, null },
        { "localhost", "docker.io", "library/localhost", null, null },
        { "localhost:5000", "docker.io", "library/localhost", "5000", null },
        { "registry.example.com:5000", "docker.io", "library/registry.example.com", "5000", null },
        { "nginx:1/2", "nginx:1", "2", null, null },
        { "[::1]:5000/x", "[::1]:5000", "x", null, null },
        { "[::1]/x", "[::1]", "x", null, null },
        { "[2001:DB8::1]:443/team/app:v1", "[2001:db8::1]", "team/app", "v1", null },
        { "[2001:DB8::1]:5000/team/app:v1", "[2001:db8::1]:5000", "team/app", "v1", null },
        { "[fe80::1:2:3:4]/a", "[fe80::1:2:3:4]", "a", null, null },
        { "10.0.0.1:8080/app", "10.0.0.1:8080", "app", null, null },
        { "192.168.1.10/ns/app:1", "192.168.1.10", "ns/app", "1", null },
        { "Registry.Example.COM/team/app", "registry.example.com", "team/app", null, null },
        { "my-registry.example.com:65535/a", "my-registry.example.com:65535", "a", null, null },
        { "xn--bcher-kva.example/app", "xn--bcher-kva.example", "app", null, null },
        { "gcr.io/distroless/static:nonroot", "gcr.io", "distroless/static", "nonroot", null },
        { "registry.k8s.io/pause:3.9", "registry.k8s.io", "pause", "3.9", null },
        { "quay.io/prometheus/node-exporter:v1.8.0", "quay.io", "prometheus/node-exporter", "v1.8.0", null },
        { "ghcr.io/org/a/b/c/d:1", "ghcr.io", "org/a/b/c/d", "1", null },
        { "a.b/c_d/e__f/g-h/i---j/k.l", "a.b", "c_d/e__f/g-h/i---j/k.l", null, null },
        { "foo_bar", "docker.io", "library/foo_bar", null, null },
        { "foo.bar:1", "docker.io", "library/foo.bar", "1", null },
        { "0/1", "docker.io", "0/1", null, null },
        { "dhi.io/nginx:1.25", "dhi.io", "nginx", "1.25", null },
        { "cgr.dev/chainguard/nginx:latest", "cgr.dev", "chainguard/nginx", "latest", null },
        { "nginx:_", "docker.io", "library/nginx", "_", null },
        { "nginx:A.b-C_1", "docker.io", "library/nginx", "A.b-C_1", null },
        { "nginx@" + Sha256, "docker.io", "library/nginx", null, Sha256 },
        { "nginx:1.25@" + Sha256, "docker.io", "library/nginx", "1.25", Sha256 },
        { "nginx@" + Sha512, "docker.io", "library/nginx", null, Sha512 },
        { "a/b:1@" + Sha256, "docker.io", "a/b", "1", Sha256 },
        { "localhost:5000/x@" + Sha256, "localhost:5000", "x", null, Sha256 },
        { "myreg.io/" + Sha256Hex, "myreg.io", Sha256Hex, null, null },
        { "docker.io/" + Sha256Hex, "docker.io", "library/" + Sha256Hex, null, null },
        { "nginx:" + new string('t', 128), "docker.io", "library/nginx", new string('t', 128), null },
        { "registry.example.com/" + new string('p', 255), "registry.example.com", new string('p', 255), null, null },
        { new string('n', 247), "docker.io", "library/" + new string('n', 247), null, null },
        // A Docker Hub alias with a port other than 443 is another registry, and gets no "library/".
        { "index.docker.io:5000/nginx", "index.docker.io:5000", "nginx", null, null },
        { "registry-1.docker.io:8443/library/nginx", "registry-1.docker.io:8443", "library/nginx", null, null },
        { "LocalHost/x", "localhost", "x", null, null },
        { "localhost:0065535/x", "localhost:65535", "x", null, null },
        { "localhost:00443/x", "localhost", "x", null, null },
        { Sha256Hex[..63], "docker.io", "library/" + Sha256Hex[..63], null, null },
        { Sha256Hex + "0", "docker.io", "library/" + Sha256Hex + "0", null, null },
        { "g" + Sha256Hex[1..], "docker.io", "library/g" + Sha256Hex[1..], null, null },
        { "team/" + Sha256Hex, "docker.io", "team/" + Sha256Hex, null, null },
    };

    public static TheoryData<string, string> InvalidReferences => new()
    {
        { "nginx\n", "line break (U+000A) at index 5" },
        { "nginx\r", "line break (U+000D)" },
        { "nginx ", "whitespace (U+0020) at index 5" },
        { " nginx", "whitespace (U+0020) at index 0" },
        { "ng inx", "whitespace" },
        { "nginx\t:1", "whitespace (U+0009)" },
        { "nginx\u00A0", "whitespace (U+00A0)" },
        { "nginx:1.2\u0663", "non-ASCII character U+0663" },
        { "nginx:\u0661\u0662", "non-ASCII character U+0661" },
        { "\u212Aafka", "non-ASCII character U+212A at index 0" },
        { "ng\u0131nx", "non-ASCII character U+0131" },
        { "ng\u0456nx", "non-ASCII character U+0456" },
        { "ngi\u200Bnx", "invisible character U+200B at index 3" },
        { "nginx\uFEFF", "invisible character U+FEFF" },
        { "nginx\u202E", "invisible character U+202E" },
        { "\uFF4E\uFF47\uFF49\uFF4E\uFF58", "non-ASCII character U+FF4E" },
        { "\u00F1ginx", "non-ASCII character U+00F1" },
        { "nginx\u0000", "control character U+0000" },
        { "nginx\u007F", "control character U+007F" },
        { "nginx:\uD83D\uDE00", "non-ASCII character U+1F600" },
        { "NGINX", "repository name must be lowercase" },
        { "Nginx", "repository name must be lowercase" },
        { "library/Nginx:1", "repository name must be lowercase" },
        { "MyOrg/app", "repository name must be lowercase" },
        { "docker.io/Library/nginx", "repository name must be lowercase" },
        { "localhost:0/x", "port 0 is out of range 1-65535" },
        { "localhost:65536/x", "port 65536 is out of range 1-65535" },
        { "localhost:70000/x", "port 70000 is out of range 1-65535" },
        { "localhost:99999999999999999999/x", "is out of range 1-65535" },
        { "localhost:00000/x", "is out of range 1-65535" },
        { "localhost:100000/x", "port 100000 is out of range 1-65535" },
        { "localhost:099999/x", "port 099999 is out of range 1-65535" },
        { "localhost:123456789012/x", "port 123456789012 is out of range 1-65535" },
        { "localhost:1234567890123/x", "port 123456789012... is out of range 1-65535" },
        { "localhost:/x", "registry port is empty" },
        { "localhost:abc/x", "registry port \"abc\" is not a number" },
        { "localhost:-1/x", "is not a number" },
        { "https://registry.example.com/app", "a URL is not an image reference; remove \"https://\"" },
        { "docker://nginx", "a URL is not an image reference" },
        { Sha256Hex, "image ID, not a repository name" },
        { Sha256Hex + ":1", "image ID" },
        { "nginx@md5:d41d8cd98f00b204e9800998ecf8427e", "digest algorithm \"md5\" is not supported (sha256 or sha512)" },
        { "nginx@SHA256:" + Sha256Hex, "digest algorithm \"SHA256\" is not supported" },
        { "nginx@sha256:abc123", "sha256 digest must have 64 hex characters, not 6" },
        { "nginx@sha256:" + Sha256Hex + "0", "not 65" },
        { "nginx@sha512:" + Sha256Hex, "sha512 digest must have 128 hex characters, not 64" },
        { "nginx@sha256:" + "1E19569FEA08C6DE312A4862D532EB7007B3098B4110EEAA22F34333358F0B78", "digest hex must be lowercase" },
        { "nginx@sha256:" + "g" + Sha256Hex[1..], "non-hex character 'g'" },
        { "nginx@sha256:", "sha256 digest must have 64 hex characters, not 0" },
        { "nginx@", "digest is empty" },
        { "nginx:1.25@", "digest is empty" },
        { "nginx@" + Sha256Hex, "must be algorithm:hex" },
        { "nginx@" + Sha256 + "@" + Sha256, "non-hex character '@'" },
        { "nginx@" + Sha256 + ":x", "non-hex character ':'" },
        { "nginx:", "tag is empty" },
        { "docker.io/library/nginx:", "tag is empty" },
        { "nginx:-1", "must start with a letter, digit or \"_\"" },
        { "nginx:.1", "must start with a letter, digit or \"_\"" },
        { "nginx:1:2", "contains invalid character ':'" },
        { "nginx:1+2", "contains invalid character '+'" },
        { "nginx:" + new string('t', 129), "tag is 129 characters long; at most 128 are allowed" },
        { "registry.example.com/" + new string('p', 256), "repository path is 256 characters long; at most 255 are allowed" },
        { "registry.example.com/" + new string('p', 200) + "/" + new string('q', 56), "257 characters long" },
        { new string('n', 248), "256 characters long (with the implied \"library/\")" },
        { "a//b", "empty component (\"//\")" },
        { "/nginx", "must not start with \"/\"" },
        { "nginx/", "must not end with \"/\"" },
        { "docker.io/", "repository path is empty" },
        { "docker.io//nginx", "must not start with \"/\"" },
        { "-nginx", "must start and end with a lowercase letter or digit" },
        { "nginx-", "must start and end with a lowercase letter or digit" },
        { "library/_nginx", "must start and end" },
        { "ng..inx", "invalid separator \"..\"" },
        { "ng___inx", "invalid separator \"___\"" },
        { "ng.-inx", "invalid separator \".-\"" },
        { "ng_-inx", "invalid separator \"_-\"" },
        { "nginx!", "repository path contains invalid character '!'" },
        { "[::1]", "must be followed by \"/\" and a repository path" },
        { "[::1:5000/x", "missing its closing \"]\"" },
        { "[::g]/x", "is not a valid IPv6 address" },
        { "[1:2]/x", "is not a valid IPv6 address" },
        { "[1234]:5000/x", "is not a valid IPv6 address" },      // IPAddress reads "1234" as the IPv4 address 0.0.4.210
        { "[ffff]:443/x", "is not a valid IPv6 address" },
        { "[]/x", "repository path contains invalid character '['" },
        { "[::1]x:5/y", "must be followed by \":port\" or \"/\"" },
        { "-registry.com/x", "label that starts or ends with \"-\"" },
        { "registry-.com/x", "label that starts or ends with \"-\"" },
        { "registry..com/x", "empty label" },
        { ".registry.com/x", "empty label" },
        { "reg_istry.com/x", "contains invalid character '_'" },
        { ":5000/x", "registry host is empty" },
        { "@" + Sha256, "repository name is empty" },
        { ":latest", "repository name is empty" },
    };

    [Theory]
    [MemberData(nameof(ValidReferences))]
    public void TryParse_ValidReference_Normalizes(string input, string registry, string path, string? tag, string? digest)
    {
        Assert.True(ImageReferenceParser.TryParse(input, out var reference, out var error), error);
        Assert.Null(error);
        Assert.Equal(registry, reference.Registry);
        Assert.Equal(path, reference.Path);
        Assert.Equal(tag, reference.Tag);
        Assert.Equal(digest, reference.Digest);
        Assert.Equal(registry + "/" + path, reference.Repository);
        var expected = registry + "/" + path + (tag is null ? "" : ":" + tag) + (digest is null ? "" : "@" + digest);
        Assert.Equal(expected, reference.Normalized);
    }

    [Theory]
    [MemberData(nameof(InvalidReferences))]
    public void TryParse_InvalidReference_FailsWithReason(string input, string reasonFragment)
    {
        Assert.False(ImageReferenceParser.TryParse(input, out var reference, out var error));
        Assert.Null(reference);
        Assert.StartsWith("invalid reference \"", error, StringComparison.Ordinal);
        Assert.Contains(reasonFragment, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Nginx", "invalid reference \"Nginx\": repository name must be lowercase")]
    [InlineData("nginx@md5:abc", "invalid reference \"nginx@md5:abc\": digest algorithm \"md5\" is not supported (sha256 or sha512)")]
    [InlineData("localhost:70000/x", "invalid reference \"localhost:70000/x\": port 70000 is out of range 1-65535")]
    [InlineData("nginx\n", "invalid reference \"nginx\\n\": contains a line break (U+000A) at index 5")]
    public void TryParse_InvalidReference_ExactMessage(string input, string message)
    {
        Assert.False(ImageReferenceParser.TryParse(input, out _, out var error));
        Assert.Equal(message, error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void TryParse_NullOrEmpty_FailsAsEmpty(string? input)
    {
        Assert.False(ImageReferenceParser.TryParse(input, out var reference, out var error));
        Assert.Null(reference);
        Assert.Equal("image reference is empty", error);
    }

    [Theory]
    [InlineData(0xD800, "unpaired surrogate U+D800 at index 5")]
    [InlineData(0xDC00, "unpaired surrogate U+DC00 at index 5")]
    public void TryParse_UnpairedSurrogate_Fails(int surrogate, string reason)
    {
        // Built here, not in InlineData: test discovery would turn a lone surrogate into U+FFFD.
        var input = "nginx" + (char)surrogate + ":1";

        Assert.False(ImageReferenceParser.TryParse(input, out _, out var error));

        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_HugeInput_FailsWithShortMessage()
    {
        var input = new string('a', 1_000_000) + "\n";

        Assert.False(ImageReferenceParser.TryParse(input, out _, out var error));

        Assert.Contains("(1000001 characters)", error, StringComparison.Ordinal);
        Assert.Contains("line break", error, StringComparison.Ordinal);
        Assert.True(error.Length < 300, error);
    }

    [Fact]
    public void TryParse_ControlCharacterInInput_IsEscapedInMessage()
    {
        Assert.False(ImageReferenceParser.TryParse("evil\u001b[31m", out _, out var error));

        Assert.DoesNotContain('\u001b', error);
        Assert.Contains("evil\\u001B[31m", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nginx", "nginx", "latest", true)]
    [InlineData("nginx:1.25", "nginx", "1.25", false)]
    [InlineData("nginx@" + Sha256, "nginx", "latest", false)]
    [InlineData("ghcr.io/org/team/app:v2", "app", "v2", false)]
    public void TryParse_Reference_DerivesNameAndTag(string input, string name, string tagOrLatest, bool implicitLatest)
    {
        var reference = Parse(input);

        Assert.Equal(name, reference.Name);
        Assert.Equal(tagOrLatest, reference.TagOrLatest);
        Assert.Equal(implicitLatest, reference.IsImplicitLatest);
    }
}
