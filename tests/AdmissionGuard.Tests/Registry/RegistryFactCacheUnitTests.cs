using AdmissionGuard.Registry;
using Microsoft.Extensions.Time.Testing;

namespace AdmissionGuard.Tests.Registry;

/// <summary>Expiry, staleness, size and breaker rules with a scripted resolver and fake time.</summary>
public sealed class RegistryFactCacheUnitTests
{
    private const string Reference = "r.example/app:1";
    private static readonly string Digest = "sha256:" + new string('b', 64);

    [Fact]
    public async Task EnsureAsync_ExistsAnswer_CachedForTtlThenAskedAgain()
    {
        var (cache, resolver, time) = Create(RegistryLookupResult.Exists(Digest));
        using var _ = cache;

        await cache.EnsureAsync(Reference, TimeSpan.FromSeconds(5), CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(RegistryFactState.Exists, cache.Lookup(Reference).State);
        await cache.EnsureAsync(Reference, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(1, resolver.Calls);

        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(RegistryFactState.Unknown, cache.Lookup(Reference).State);
        await cache.EnsureAsync(Reference, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(2, resolver.Calls);
    }

    [Fact]
    public async Task EnsureAsync_MissingAnswer_ExpiresAfterNegativeTtl()
    {
        var (cache, resolver, time) = Create(RegistryLookupResult.Missing());
        using var _ = cache;

        await cache.EnsureAsync(Reference, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(RegistryFactState.Missing, cache.Lookup(Reference).State);
        time.Advance(TimeSpan.FromSeconds(61));

        Assert.Equal(RegistryFactState.Unknown, cache.Lookup(Reference).State);
        Assert.Equal(1, resolver.Calls);
    }

    [Fact]
    public async Task EnsureAsync_RegistryDownAfterExpiry_ServesStaleExistsWithinWindow()
    {
        var (cache, resolver, time) = Create(RegistryLookupResult.Exists(Digest));
        using var _ = cache;
        await cache.EnsureAsync(Reference, TimeSpan.FromSeconds(5), CancellationToken.None);

        resolver.Next = RegistryLookupResult.Failed("down");
        time.Advance(TimeSpan.FromMinutes(11));
        var stale = await cache.EnsureAsync(Reference, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(new RegistryFact(RegistryFactState.Exists, Digest), stale);
        Assert.Equal(stale, cache.Lookup(Reference));

        time.Advance(TimeSpan.FromHours(2));
        var gone = await cache.EnsureAsync(Reference, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(RegistryFactState.Unreachable, gone.State);
    }

    [Fact]
    public async Task Breaker_AfterCoolDown_LetsOneTrialThroughAndClosesOnSuccess()
    {
        var (cache, resolver, time) = Create(RegistryLookupResult.Failed("down"), threshold: 2);
        using var _ = cache;
        await cache.EnsureAsync("r.example/a:1", TimeSpan.FromSeconds(5), CancellationToken.None);
        await cache.EnsureAsync("r.example/a:2", TimeSpan.FromSeconds(5), CancellationToken.None);

        var open = await cache.EnsureAsync("r.example/a:3", TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(RegistryFactState.Unreachable, open.State);
        Assert.Equal(2, resolver.Calls);
        Assert.Equal(RegistryFactState.Unreachable, cache.Lookup("r.example/a:4").State);
        Assert.Equal(RegistryFactState.Unknown, cache.Lookup("other.example/a:4").State);

        resolver.Next = RegistryLookupResult.Exists(Digest);
        time.Advance(TimeSpan.FromSeconds(31));
        var trial = await cache.EnsureAsync("r.example/a:3", TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(RegistryFactState.Exists, trial.State);
        Assert.Equal(3, resolver.Calls);
        Assert.Equal(RegistryFactState.Unknown, cache.Lookup("r.example/a:4").State); // closed again
    }

    [Fact]
    public async Task Store_BeyondMaxEntries_DropsLeastRecentlyRead()
    {
        var (cache, _, time) = Create(RegistryLookupResult.Exists(Digest), maxEntries: 10);
        using var __ = cache;
        for (var i = 0; i < 10; i++)
        {
            await cache.EnsureAsync($"r.example/a:{i}", TimeSpan.FromSeconds(5), CancellationToken.None);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        cache.Lookup("r.example/a:0"); // recently read: survives
        time.Advance(TimeSpan.FromSeconds(1));
        await cache.EnsureAsync("r.example/a:10", TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.True(cache.Count <= 10);
        Assert.Equal(RegistryFactState.Exists, cache.Lookup("r.example/a:0").State);
        Assert.Equal(RegistryFactState.Unknown, cache.Lookup("r.example/a:1").State);
    }

    [Fact]
    public async Task EnsureAsync_UnparseableReference_UnreachableWithoutAsking()
    {
        var (cache, resolver, _) = Create(RegistryLookupResult.Exists(Digest));
        using var __ = cache;

        var fact = await cache.EnsureAsync("no-registry-part", TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(RegistryFactState.Unreachable, fact.State);
        Assert.Equal(0, resolver.Calls);
    }

    [Fact]
    public async Task EnsureAllAsync_PullScope_AsksOncePerCredentialAndKeepsAnswersApart()
    {
        var (cache, resolver, _) = Create(RegistryLookupResult.Missing());
        using var _ = cache;
        var good = new RegistryCredential("u", "right");
        resolver.ByCredential = c => c == good ? RegistryLookupResult.Exists(Digest) : RegistryLookupResult.Refused("registry refused access (401)");
        var withSecret = Scope("""{"auths":{"r.example":{"username":"u","password":"right"}}}""");
        var wrongSecret = Scope("""{"auths":{"r.example":{"username":"u","password":"wrong"}}}""");

        await cache.EnsureAllAsync([Reference], withSecret, TimeSpan.FromSeconds(5), CancellationToken.None);
        await cache.EnsureAllAsync([Reference], wrongSecret, TimeSpan.FromSeconds(5), CancellationToken.None);
        await cache.EnsureAllAsync([Reference], PullScope.Default, TimeSpan.FromSeconds(5), CancellationToken.None);
        await cache.EnsureAllAsync([Reference], withSecret, TimeSpan.FromSeconds(5), CancellationToken.None);

        // Each secret asked with its own credential, anonymous without one; none of them instead of the others.
        Assert.Equal([good, new RegistryCredential("u", "wrong"), null], resolver.Credentials);
        Assert.Equal(new RegistryFact(RegistryFactState.Exists, Digest), cache.For(withSecret).Lookup(Reference));
        Assert.Equal(RegistryFactState.Unreachable, cache.For(wrongSecret).Lookup(Reference).State);
        Assert.Equal(RegistryFactState.Unreachable, cache.Lookup(Reference).State);
    }

    [Fact]
    public async Task For_SeveralMatchingSecrets_ExistsWhenAnyCredentialCanPull()
    {
        var (cache, resolver, _) = Create(RegistryLookupResult.Missing());
        using var _ = cache;
        resolver.ByCredential = c => c?.Username == "second" ? RegistryLookupResult.Exists(Digest) : RegistryLookupResult.Refused("registry refused access (403)");
        var scope = new PullScope(
            [RegistryCredentials.Parse("""{"auths":{"r.example":{"username":"first","password":"p"}}}"""),
             RegistryCredentials.Parse("""{"auths":{"r.example/app":{"username":"second","password":"p"}}}""")],
            RegistryCredentials.None);

        Assert.Equal(RegistryFactState.Unknown, cache.For(scope).Lookup(Reference).State);
        await cache.EnsureAllAsync([Reference], scope, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(2, resolver.Calls);
        Assert.Equal(RegistryFactState.Exists, cache.For(scope).Lookup(Reference).State);
        Assert.Equal(RegistryFactState.Unknown, cache.Lookup(Reference).State); // anonymous was never asked
    }

    [Theory]
    [InlineData("""{"auths":{"other.example":{"username":"u","password":"p"}}}""", "{}", new[] { "anonymous" })]
    [InlineData("""{"auths":{"r.example":{"username":"u","password":"p"}}}""", "{}", new[] { "u" })]
    [InlineData("""{"auths":{"r.example":{"username":"u","password":"p"}}}""", """{"auths":{"r.example":{"username":"node","password":"n"}}}""", new[] { "u", "anonymous" })]
    public void PullScope_Queries_AsTheKubeletWouldPull(string secret, string configured, string[] expected)
    {
        var scope = new PullScope([RegistryCredentials.Parse(secret)], RegistryCredentials.Parse(configured));
        var queries = new List<RegistryQuery>();

        scope.AddQueries(Reference, queries);

        // "anonymous" is the default query: the configured docker config's credential, else none.
        Assert.Equal(expected, queries.Select(q => q.Credential?.Username ?? "anonymous"));
        Assert.All(queries, q => Assert.Equal(Reference, q.Reference));
    }

    private static PullScope Scope(string dockerConfig) => new([RegistryCredentials.Parse(dockerConfig)], RegistryCredentials.None);

    private static (RegistryFactCache Cache, ScriptedResolver Resolver, FakeTimeProvider Time) Create(
        RegistryLookupResult answer, int threshold = 5, int maxEntries = 10_000)
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var resolver = new ScriptedResolver { Next = answer };
        var options = new RegistryOptions { BreakerFailureThreshold = threshold, MaxEntries = maxEntries };
        return (new RegistryFactCache(options, resolver, time), resolver, time);
    }

    private sealed class ScriptedResolver : IManifestResolver
    {
        private int _calls;

        public RegistryLookupResult Next { get; set; } = RegistryLookupResult.Missing();

        /// <summary>When set, the answer depends on the credential asked with.</summary>
        public Func<RegistryCredential?, RegistryLookupResult>? ByCredential { get; set; }

        public List<RegistryCredential?> Credentials { get; } = [];

        public int Calls => Volatile.Read(ref _calls);

        public Task<RegistryLookupResult> ResolveAsync(ManifestReference reference, RegistryCredential? credential, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            lock (Credentials)
            {
                Credentials.Add(credential);
            }

            return Task.FromResult(ByCredential?.Invoke(credential) ?? Next);
        }
    }
}
