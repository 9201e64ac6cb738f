using AdmissionGuard.Registry;

namespace AdmissionGuard.Tests.Registry;

[Collection(RegistryTestGroup.Name)]
public sealed class RegistryFactCacheTests(RegistryFixture registry)
{
    [Fact]
    public async Task EnsureAsync_HundredConcurrentCallersOfNewReference_OneRegistryRequest()
    {
        var counting = new CountingHandler(new SocketsHttpHandler());
        var options = new RegistryOptions { InsecureRegistries = [registry.Plain.Host], RequestTimeout = TimeSpan.FromSeconds(20) };
        using var cache = new RegistryFactCache(options,
            new OciRegistryClient(options, RegistryCredentials.None, TimeProvider.System, counting), TimeProvider.System);
        var reference = $"{registry.Plain.Host}/library/nginx:1.25-hardened";
        using var go = new ManualResetEventSlim();

        var callers = Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
        {
            go.Wait();
            return await cache.EnsureAsync(reference, TimeSpan.FromSeconds(30), CancellationToken.None);
        })).ToList();
        go.Set();
        var facts = await Task.WhenAll(callers);

        Assert.All(facts, f => Assert.Equal(new RegistryFact(RegistryFactState.Exists, registry.HardenedDigest), f));
        Assert.Equal(1, counting.ManifestRequests);
        Assert.Equal(1, cache.ResolverCalls);
    }

    [Fact]
    public async Task Cache_RegistryStoppedMidRun_ServesCachedFactsOpensBreakerAndStaysWithinBudget()
    {
        var fragile = await registry.StartDisposableAsync("fragile");
        var counting = new CountingHandler(new SocketsHttpHandler());
        var options = new RegistryOptions
        {
            InsecureRegistries = [fragile.Host, registry.Plain.Host],
            BreakerFailureThreshold = 2,
            BreakerCoolDown = TimeSpan.FromMinutes(5),
            RequestTimeout = TimeSpan.FromSeconds(5),
        };
        using var cache = new RegistryFactCache(options,
            new OciRegistryClient(options, RegistryCredentials.None, TimeProvider.System, counting), TimeProvider.System);
        var known = $"{fragile.Host}/library/nginx:1.25";
        var missing = $"{fragile.Host}/library/nginx:0.0";
        var before = await cache.EnsureAsync(known, TimeSpan.FromSeconds(30), CancellationToken.None);
        await cache.EnsureAsync(missing, TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.Equal(RegistryFactState.Exists, before.State);

        fragile.Stop();
        Assert.False(fragile.IsRunning);

        // Cached facts, positive and negative, still answer without the registry.
        Assert.Equal(before, cache.Lookup(known));
        Assert.Equal(RegistryFactState.Missing, cache.Lookup(missing).State);
        Assert.Equal(before, await cache.EnsureAsync(known, TimeSpan.FromSeconds(1), CancellationToken.None));

        // New references fail until the breaker opens...
        for (var i = 0; i < options.BreakerFailureThreshold; i++)
        {
            var fact = await cache.EnsureAsync($"{fragile.Host}/library/new:{i}", TimeSpan.FromSeconds(30), CancellationToken.None);
            Assert.Equal(RegistryFactState.Unreachable, fact.State);
        }

        // ...then the registry is not asked at all, and answers come at once.
        var requestsWhenOpen = counting.Count;
        var afterOpen = await cache.EnsureAsync($"{fragile.Host}/library/new:later", TimeSpan.FromMilliseconds(300), CancellationToken.None);
        var lookup = cache.Lookup($"{fragile.Host}/library/never-asked:1");

        Assert.Equal(RegistryFactState.Unreachable, afterOpen.State);
        Assert.Equal(RegistryFactState.Unreachable, lookup.State);
        Assert.Equal(requestsWhenOpen, counting.Count);
        Assert.Equal(before, cache.Lookup(known));

        // Other registries are not affected by this one's breaker.
        var other = await cache.EnsureAsync($"{registry.Plain.Host}/library/nginx:1.25", TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.Equal(RegistryFactState.Exists, other.State);
    }
}
