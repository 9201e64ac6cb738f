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
