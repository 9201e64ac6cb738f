using System.Net;
using System.Text;
using AdmissionGuard.Registry;

namespace AdmissionGuard.Tests.Registry;

/// <summary>Registries that misbehave: slow, oversized, endless redirects, token-protected.</summary>
public sealed class RegistryFaultTests
{
    private const string Digest = "sha256:1e19569fea08c6de312a4862d532eb7007b3098b4110eeaa22f34333358f0b78";

    [Fact]
    public async Task EnsureAsync_SlowRegistry_ReturnsUnknownWithinBudgetAndLookupGoesOn()
    {
        using var stub = new StubRegistry(async context =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None);
            Answer(context, Digest);
        });
        using var cache = Cache(stub.Host, requestTimeout: TimeSpan.FromSeconds(30));
        var reference = $"{stub.Host}/library/slow:1";

        var fact = await cache.EnsureAsync(reference, TimeSpan.FromMilliseconds(200), CancellationToken.None);

        Assert.Equal(RegistryFactState.Unknown, fact.State); // returned before the server answered
        Assert.True(await TestTools.EventuallyAsync(() => cache.Lookup(reference).State == RegistryFactState.Exists, TimeSpan.FromSeconds(30)));
        Assert.Equal(Digest, cache.Lookup(reference).Digest);
        Assert.Equal(1, cache.ResolverCalls);
    }

    [Fact]
    public async Task EnsureAsync_ZeroBudget_NeverWaits()
    {
        using var stub = new StubRegistry(async context =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None);
            Answer(context, Digest);
        });
        using var cache = Cache(stub.Host);

        var fact = await cache.EnsureAsync($"{stub.Host}/library/slow:1", TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(RegistryFactState.Unknown, fact.State);
    }

    [Fact]
    public async Task Resolve_SlowerThanRequestTimeout_UnreachableAsHostFailure()
    {
        using var stub = new StubRegistry(async context =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), CancellationToken.None);
            Answer(context, Digest);
        });
        using var client = Client(stub.Host, requestTimeout: TimeSpan.FromMilliseconds(300));

        var result = await Resolve(client, $"{stub.Host}/library/slow:1");

        Assert.Equal(RegistryFactState.Unreachable, result.State);
        Assert.True(result.HostFailure);
        Assert.Contains("timed out", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_EndlessChunkedManifest_StopsAtLimit()
    {
        var sent = 0L;
        using var stub = new StubRegistry(async context =>
        {
            // HEAD without a digest forces the GET; the GET streams without a length, forever if allowed.
            if (context.Request.HttpMethod == "HEAD")
            {
                context.Response.StatusCode = 200;
                return;
            }

            context.Response.SendChunked = true;
            context.Response.ContentType = "application/vnd.oci.image.manifest.v1+json";
            var chunk = new byte[64 * 1024];
            for (var i = 0; i < 4096; i++) // at most 256 MiB
            {
                await context.Response.OutputStream.WriteAsync(chunk);
                Interlocked.Add(ref sent, chunk.Length);
            }
        });
        using var client = Client(stub.Host, maxManifestBytes: 1024 * 1024);

        var result = await Resolve(client, $"{stub.Host}/library/huge:1");

        Assert.Equal(RegistryFactState.Unreachable, result.State);
        Assert.Contains("larger than", result.Reason, StringComparison.Ordinal);
        Assert.True(Interlocked.Read(ref sent) < 256L * 1024 * 1024, "the client kept reading past its limit");
    }

    [Fact]
    public async Task Resolve_DeclaredOversizedManifest_RefusedWithoutReading()
    {
        using var stub = new StubRegistry(async context =>
        {
            if (context.Request.HttpMethod == "HEAD")
            {
                context.Response.StatusCode = 200;
                return;
            }

            context.Response.ContentLength64 = 100L * 1024 * 1024;
            await context.Response.OutputStream.WriteAsync(new byte[1024]);
        });
        using var client = Client(stub.Host);

        var result = await Resolve(client, $"{stub.Host}/library/huge:1");

        Assert.Equal(RegistryFactState.Unreachable, result.State);
        Assert.Contains("larger than", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_EndlessRedirects_StopsAfterThree()
    {
        using var stub = new StubRegistry(context =>
        {
            context.Response.StatusCode = 307;
            context.Response.RedirectLocation = context.Request.Url!.AbsolutePath + "x";
            return Task.CompletedTask;
        });
        using var client = Client(stub.Host);

        var result = await Resolve(client, $"{stub.Host}/library/loop:1");

        Assert.Equal(RegistryFactState.Unreachable, result.State);
        Assert.Contains("redirects", result.Reason, StringComparison.Ordinal);
        Assert.True(stub.Requests <= 8, $"{stub.Requests} requests"); // HEAD and GET, each 1 + 3 hops
    }

    [Fact]
    public async Task Resolve_RedirectToPlainHttpOfUnlistedHost_Refused()
    {
        using var stub = new StubRegistry(context =>
        {
            context.Response.StatusCode = 307;
            context.Response.RedirectLocation = "http://localhost:1/v2/x/manifests/1";
            return Task.CompletedTask;
        });
        using var client = Client(stub.Host);

        var result = await Resolve(client, $"{stub.Host}/library/moved:1");

        Assert.Equal(RegistryFactState.Unreachable, result.State);
        Assert.Contains("plain HTTP", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_BearerChallenge_FetchesTokenOnceAndReusesIt()
    {
        var tokenRequests = 0;
        string? seenScope = null;
        string? seenBasic = null;
        StubRegistry? self = null;
        using var stub = new StubRegistry(async context =>
        {
            var request = context.Request;
            if (request.Url!.AbsolutePath == "/token")
            {
                Interlocked.Increment(ref tokenRequests);
                seenScope = request.QueryString["scope"];
                seenBasic = request.Headers["Authorization"];
                var body = Encoding.UTF8.GetBytes("""{"token":"t0k3n","expires_in":300}""");
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(body);
                return;
            }

            if (request.Headers["Authorization"] != "Bearer t0k3n")
            {
                context.Response.StatusCode = 401;
                context.Response.AddHeader("WWW-Authenticate",
                    $"Bearer realm=\"http://{self!.Host}/token\",service=\"stub\",scope=\"repository:library/app:pull,push\"");
                return;
            }

            Answer(context, Digest);
        });
        self = stub;
        var credentials = RegistryCredentials.Parse(OciRegistryClientTests.DockerConfig(stub.Host, "u", "p"));
        using var client = new OciRegistryClient(Options(stub.Host), credentials, TimeProvider.System);

        var first = await Resolve(client, $"{stub.Host}/library/app:1");
        var second = await Resolve(client, $"{stub.Host}/library/app:2");

        Assert.Equal(RegistryFactState.Exists, first.State);
        Assert.Equal(Digest, second.Digest);
        Assert.Equal(1, tokenRequests);
        Assert.Equal("repository:library/app:pull", seenScope); // we ask for pull only, whatever the challenge says
        Assert.StartsWith("Basic ", seenBasic, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_DigestHeaderDisagreesWithRequestedDigest_NotTrusted()
    {
        using var stub = new StubRegistry(context =>
        {
            Answer(context, Digest);
            return Task.CompletedTask;
        });
        using var client = Client(stub.Host);
        var asked = "sha256:" + new string('a', 64);

        var result = await Resolve(client, $"{stub.Host}/library/app@{asked}");

        Assert.NotEqual(RegistryFactState.Exists, result.State);
    }

    private static void Answer(HttpListenerContext context, string digest)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/vnd.oci.image.index.v1+json";
        context.Response.AddHeader("Docker-Content-Digest", digest);
    }

    private static RegistryOptions Options(string host, TimeSpan? requestTimeout = null, int? maxManifestBytes = null) => new()
    {
        InsecureRegistries = [host],
        RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(20),
        MaxManifestBytes = maxManifestBytes ?? 4 * 1024 * 1024,
    };

    private static OciRegistryClient Client(string host, TimeSpan? requestTimeout = null, int? maxManifestBytes = null) =>
        new(Options(host, requestTimeout, maxManifestBytes), RegistryCredentials.None, TimeProvider.System);

    private static RegistryFactCache Cache(string host, TimeSpan? requestTimeout = null) =>
        new(Options(host, requestTimeout), Client(host, requestTimeout), TimeProvider.System);

    private static Task<RegistryLookupResult> Resolve(OciRegistryClient client, string reference)
    {
        Assert.True(ManifestReference.TryParse(reference, out var parsed), reference);
        return client.ResolveAsync(parsed, null, CancellationToken.None);
    }
}
