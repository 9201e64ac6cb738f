using System.Text;
using AdmissionGuard.Registry;

namespace AdmissionGuard.Tests.Registry;

public sealed class RegistryParsingTests
{
    [Theory]
    [InlineData("docker.io/library/nginx:1.25", "docker.io", "library/nginx", "1.25")]
    [InlineData("docker.io/library/nginx", "docker.io", "library/nginx", "latest")]
    [InlineData("localhost:5000/team/app:v1", "localhost:5000", "team/app", "v1")]
    [InlineData("localhost:5000/team/app", "localhost:5000", "team/app", "latest")]
    [InlineData("dhi.io/nginx:1.25@sha256:1e19569fea08c6de312a4862d532eb7007b3098b4110eeaa22f34333358f0b78", "dhi.io", "nginx", "sha256:1e19569fea08c6de312a4862d532eb7007b3098b4110eeaa22f34333358f0b78")]
    public void TryParse_NormalizedReference_Splits(string text, string registry, string repository, string reference)
    {
        Assert.True(ManifestReference.TryParse(text, out var parsed));
        Assert.Equal(new ManifestReference(registry, repository, reference), parsed);
    }

    [Theory]
    [InlineData("nginx")]
    [InlineData("docker.io/")]
    [InlineData("docker.io/library/nginx@sha256:short")]
    [InlineData("docker.io/../v2/x:1")]
    [InlineData("docker.io/library/nginx:1?x=y")]
    public void TryParse_Unusable_Refuses(string text) => Assert.False(ManifestReference.TryParse(text, out _));

    [Fact]
    public void Credentials_DockerConfig_ReadsAuthAndUsernamePasswordAndDockerHubKey()
    {
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("hub:pa:ss"));
        var credentials = RegistryCredentials.Parse($$$"""
            {"auths": {
              "https://index.docker.io/v1/": {"auth": "{{{auth}}}"},
              "registry.example.com:5000": {"username": "u", "password": "p"},
              "https://Quay.io/": {"auth": ""}
            }, "credsStore": "desktop"}
            """);

        Assert.Equal(new RegistryCredential("hub", "pa:ss"), credentials.Find("docker.io"));
        Assert.Equal(new RegistryCredential("u", "p"), credentials.Find("registry.example.com:5000"));
        Assert.Null(credentials.Find("quay.io"));
        Assert.Null(credentials.Find("registry.example.com"));
    }

    // What the kubelet's keyring matches: same label count with per-label globs, same port, path on segment boundaries.
    [Theory]
    [InlineData("registry.example.com", "registry.example.com", "team/app", true)]
    [InlineData("registry.example.com", "REGISTRY.example.com", "team/app", true)]
    [InlineData("registry.example.com", "registry.example.com:5000", "team/app", false)]
    [InlineData("registry.example.com:5000", "registry.example.com", "team/app", false)]
    [InlineData("*.example.com", "registry.example.com", "team/app", true)]
    [InlineData("*.example.com", "example.com", "team/app", false)]
    [InlineData("*.example.com", "a.b.example.com", "team/app", false)]
    [InlineData("reg*.example.com", "registry.example.com", "team/app", true)]
    [InlineData("reg*.example.com", "mirror.example.com", "team/app", false)]
    [InlineData("https://ghcr.io/team", "ghcr.io", "team/app", true)]
    [InlineData("ghcr.io/team", "ghcr.io", "team", true)]
    [InlineData("ghcr.io/team", "ghcr.io", "teammate/app", false)]
    [InlineData("ghcr.io/team/", "ghcr.io", "other/app", false)]
    [InlineData("https://index.docker.io/v1/", "docker.io", "library/nginx", true)]
    [InlineData("registry-1.docker.io", "docker.io", "library/nginx", true)]
    [InlineData("[::1]:5000", "[::1]:5000", "app", true)]
    [InlineData("[::1]:5000", "[::1]", "app", false)]
    public void Credentials_Key_MatchesLikeTheKubelet(string key, string registry, string repository, bool matches)
    {
        var credentials = RegistryCredentials.Parse(new System.Text.Json.Nodes.JsonObject
        {
            ["auths"] = new System.Text.Json.Nodes.JsonObject { [key] = new System.Text.Json.Nodes.JsonObject { ["username"] = "u", ["password"] = "p" } },
        }.ToJsonString());

        Assert.Equal(matches, credentials.Find(registry, repository) is not null);
    }

    [Fact]
    public void Credentials_SeveralKeysMatch_MostSpecificPathFirstAndEveryMatchListed()
    {
        var credentials = RegistryCredentials.Parse("""
            {"auths": {
              "ghcr.io": {"username": "org", "password": "1"},
              "*.io": {"username": "glob", "password": "2"},
              "ghcr.io/team/app": {"username": "app", "password": "3"},
              "ghcr.io/team": {"username": "team", "password": "4"},
              "quay.io": {"username": "other", "password": "5"}
            }}
            """);
        var matches = new List<RegistryCredential>();

        credentials.AddMatches("ghcr.io", "team/app", matches);

        Assert.Equal(["app", "team", "org", "glob"], matches.Select(c => c.Username));
        Assert.Equal("team", credentials.Find("ghcr.io", "team/web")!.Username);
    }

    [Fact]
    public void Credentials_LegacyDockercfg_ReadsTheAuthsMapItself()
    {
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("legacy:pw"));
        var credentials = RegistryCredentials.ParseLegacy($$$"""{"https://registry.example.com": {"auth": "{{{auth}}}", "email": "a@example.com"}}""");

        Assert.Equal(new RegistryCredential("legacy", "pw"), credentials.Find("registry.example.com"));
        // The same text as a modern config has no "auths": nothing, not a misread.
        Assert.Equal(0, RegistryCredentials.Parse($$$"""{"https://registry.example.com": {"auth": "{{{auth}}}"}}""").Count);
    }

    [Fact]
    public void Credential_Id_SameForSameLoginDifferentOtherwiseAndNotThePassword()
    {
        var id = new RegistryCredential("u", "secret").Id;

        Assert.Equal(id, new RegistryCredential("u", "secret").Id);
        Assert.NotEqual(id, new RegistryCredential("u", "other").Id);
        Assert.NotEqual(id, new RegistryCredential("u\0secret", "").Id);
        Assert.DoesNotContain("secret", id, StringComparison.Ordinal);
    }

    [Fact]
    public void Credentials_NotDockerConfig_FormatException() =>
        Assert.Throws<FormatException>(() => RegistryCredentials.Parse("""{"auths": {"x": {"auth": "%%%"}}}"""));

    [Fact]
    public void Credential_ToString_HidesPassword() =>
        Assert.DoesNotContain("secret", new RegistryCredential("u", "secret").ToString(), StringComparison.Ordinal);

    [Fact]
    public void Challenge_QuotedParametersWithCommas_Parsed()
    {
        var parameters = AuthChallenge.ParseParameters("""realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push" """);

        Assert.Equal("https://auth.docker.io/token", parameters["realm"]);
        Assert.Equal("registry.docker.io", parameters["service"]);
        Assert.Equal("repository:a/b:pull,push", parameters["scope"]);
    }

    [Fact]
    public void HttpHost_DockerHub_MapsToRegistry1() =>
        Assert.Equal("registry-1.docker.io", OciRegistryClient.HttpHost("docker.io"));
}
