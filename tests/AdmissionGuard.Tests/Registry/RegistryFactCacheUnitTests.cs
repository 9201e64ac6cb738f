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

        public int Calls => Volatile.Read(ref _calls);

        public Task<RegistryLookupResult> ResolveAsync(ManifestReference reference, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromResult(Next);
        }
    }
}
