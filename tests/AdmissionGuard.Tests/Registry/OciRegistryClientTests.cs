using System.Text;
using AdmissionGuard.Registry;

namespace AdmissionGuard.Tests.Registry;

[Collection(RegistryTestGroup.Name)]
public sealed class OciRegistryClientTests(RegistryFixture registry)
{
    [Fact]
    public async Task Resolve_ExistingTag_ReturnsDigestSkopeoReports()
    {
        using var client = Client(insecure: [registry.Plain.Host]);

        var result = await Resolve(client, $"{registry.Plain.Host}/library/nginx:1.25");

        Assert.Equal(RegistryFactState.Exists, result.State);
        Assert.Equal(registry.NginxDigest, result.Digest);
    }

    [Fact]
    public async Task Resolve_DistinctImages_ReturnDistinctDigests()
    {
        using var client = Client(insecure: [registry.Plain.Host]);

        var hardened = await Resolve(client, $"{registry.Plain.Host}/library/nginx:1.25-hardened");

        Assert.Equal(registry.HardenedDigest, hardened.Digest);
        Assert.NotEqual(registry.NginxDigest, hardened.Digest);
    }

    [Theory]
    [InlineData("library/nginx:9.99")]
    [InlineData("library/nosuchimage:1.25")]
    [InlineData("library/nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task Resolve_AbsentImage_ReturnsMissing(string pathAndTag)
    {
        using var client = Client(insecure: [registry.Plain.Host]);

        var result = await Resolve(client, $"{registry.Plain.Host}/{pathAndTag}");

        Assert.Equal(RegistryFactState.Missing, result.State);
        Assert.Null(result.Digest);
    }

    [Fact]
    public async Task Resolve_ByDigest_ExistsWithThatDigest()
    {
        using var client = Client(insecure: [registry.Plain.Host]);

        var result = await Resolve(client, $"{registry.Plain.Host}/library/nginx:1.25@{registry.NginxDigest}");

        Assert.Equal(RegistryFactState.Exists, result.State);
        Assert.Equal(registry.NginxDigest, result.Digest);
    }

    [Fact]
    public async Task Resolve_MultiArchIndex_ReturnsIndexDigestNotAPlatformManifest()
    {
        using var client = Client(insecure: [registry.Plain.Host]);

        var result = await Resolve(client, $"{registry.Plain.Host}/library/multi:1");

        Assert.Equal(RegistryFactState.Exists, result.State);
        Assert.Equal(registry.IndexDigest, result.Digest);
        Assert.Equal(2, registry.PlatformDigests.Count);
        Assert.DoesNotContain(result.Digest, registry.PlatformDigests);
    }

    [Fact]
    public async Task Resolve_HeadWithoutDigestHeader_FallsBackToGetAndHashesBody()
    {
        // A transport that strips Docker-Content-Digest, as some registries and proxies do.
        using var client = new OciRegistryClient(Options(insecure: [registry.Plain.Host]), RegistryCredentials.None, TimeProvider.System,
            new StrippingHandler(new SocketsHttpHandler()));

        var result = await Resolve(client, $"{registry.Plain.Host}/library/multi:1");

        Assert.Equal(registry.IndexDigest, result.Digest);
    }

    [Fact]
    public async Task Resolve_TlsWithCustomCa_Exists()
    {
        using var client = Client(caFiles: [registry.CaFile]);

        var result = await Resolve(client, $"{registry.Tls.Host}/library/nginx:1.25");

        Assert.Equal(RegistryFactState.Exists, result.State);
        Assert.Equal(registry.NginxDigest, result.Digest);
    }

    [Fact]
    public async Task Resolve_TlsWithoutCustomCa_UnreachableWithHostFailure()
    {
        using var client = Client();

        var result = await Resolve(client, $"{registry.Tls.Host}/library/nginx:1.25");

        Assert.Equal(RegistryFactState.Unreachable, result.State);
        Assert.True(result.HostFailure);
        Assert.Null(result.Digest);
    }

    [Fact]
    public async Task Resolve_BasicAuthFromDockerConfig_Exists()
    {
        var credentials = RegistryCredentials.Parse(DockerConfig(registry.Auth.Host, RegistryFixture.User, RegistryFixture.Password));
        using var client = Client(caFiles: [registry.CaFile], credentials: credentials);

        var result = await Resolve(client, $"{registry.Auth.Host}/private/app:1");

        Assert.Equal(RegistryFactState.Exists, result.State);
        Assert.Equal(registry.NginxDigest, result.Digest);
    }

    [Fact]
    public async Task Resolve_BasicAuthWrongPassword_UnreachableWithReason()
    {
        var credentials = RegistryCredentials.Parse(DockerConfig(registry.Auth.Host, RegistryFixture.User, "wrong"));
        using var client = Client(caFiles: [registry.CaFile], credentials: credentials);

        var result = await Resolve(client, $"{registry.Auth.Host}/private/app:1");

        Assert.Equal(RegistryFactState.Unreachable, result.State);
        Assert.Contains("401", result.Reason, StringComparison.Ordinal);
        Assert.False(result.HostFailure); // the registry works; only the credentials are wrong
    }

    [Fact]
    public async Task Resolve_AuthRegistryWithoutCredentials_Unreachable()
    {
        using var client = Client(caFiles: [registry.CaFile]);

        var result = await Resolve(client, $"{registry.Auth.Host}/private/app:1");

        Assert.Equal(RegistryFactState.Unreachable, result.State);
    }

    [Fact]
    public async Task Resolve_PlainHttpRegistryNotListedInsecure_NeverSpeaksPlainHttp()
    {
        var counting = new CountingHandler(new SocketsHttpHandler());
        using var client = new OciRegistryClient(Options(), RegistryCredentials.None, TimeProvider.System, counting);

        var result = await Resolve(client, $"{registry.Plain.Host}/library/nginx:1.25");

        Assert.Equal(RegistryFactState.Unreachable, result.State);
        Assert.All(counting.Requests, r => Assert.Contains(" https://", r, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Resolve_TlsRegistryListedInsecure_UsesPlainHttpAndFails()
    {
        // Listing a registry as insecure means plain HTTP, not "skip TLS verification".
        using var client = Client(insecure: [registry.Tls.Host]);

        var result = await Resolve(client, $"{registry.Tls.Host}/library/nginx:1.25");

        Assert.NotEqual(RegistryFactState.Exists, result.State);
    }

    internal static string DockerConfig(string host, string user, string password)
    {
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password));
        return "{\"auths\":{\"" + host + "\":{\"auth\":\"" + auth + "\"}}}";
    }

    private static Task<RegistryLookupResult> Resolve(OciRegistryClient client, string reference)
    {
        Assert.True(ManifestReference.TryParse(reference, out var parsed), reference);
        return client.ResolveAsync(parsed, null, CancellationToken.None);
    }

    private static RegistryOptions Options(string[]? insecure = null, string[]? caFiles = null) => new()
    {
        InsecureRegistries = insecure ?? [],
        CaBundleFiles = caFiles ?? [],
        RequestTimeout = TimeSpan.FromSeconds(20),
    };

    private static OciRegistryClient Client(string[]? insecure = null, string[]? caFiles = null, RegistryCredentials? credentials = null) =>
        new(Options(insecure, caFiles), credentials ?? RegistryCredentials.None, TimeProvider.System);

    private sealed class StrippingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            response.Headers.Remove("Docker-Content-Digest");
            return response;
        }
    }
}
