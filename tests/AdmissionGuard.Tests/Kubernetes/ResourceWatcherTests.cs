using System.Text.Json;
using AdmissionGuard.Kubernetes;
using AdmissionGuard.Policies;
using AdmissionGuard.Serialization;
using AdmissionGuard.Tests.Certificates;

namespace AdmissionGuard.Tests.Kubernetes;

public sealed class ResourceWatcherTests : IAsyncLifetime, IDisposable
{
    private static readonly string Cips = ResourcePath.ClusterImagePolicies.Collection;
    private FakeKubeApiServer server = null!;
    private readonly CancellationTokenSource stop = new();
    private readonly ListLogger<ResourceWatcherTests> log = new();

    public async Task InitializeAsync() => server = await FakeKubeApiServer.StartAsync();

    public async Task DisposeAsync()
    {
        await stop.CancelAsync();
        await server.DisposeAsync();
    }

    public void Dispose() => stop.Dispose();

    [Fact]
    public async Task Run_PolicyCreatedChangedDeleted_CacheFollows()
    {
        server.Apply(Cips, TestObjects.ClusterPolicy("a"));
        var watcher = Start();
        await watcher.Synced.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(["a"], Names(watcher));

        server.Apply(Cips, TestObjects.ClusterPolicy("b"));
        await Eventually.True(() => Names(watcher).SequenceEqual(["a", "b"]), "b added");

        server.Apply(Cips, TestObjects.ClusterPolicy("a", mode: "Warn"));
        await Eventually.True(() => watcher.Items.Single(i => i.Key == "a").Value!.Spec!.Mode == "Warn", "a modified");

        server.Delete(Cips, "a");
        await Eventually.True(() => Names(watcher).SequenceEqual(["b"]), "a deleted");
        Assert.Equal(1, watcher.Lists);
    }

    [Fact]
    public async Task Run_WatchDroppedMidStream_ResumesFromLastResourceVersionWithoutLosingAnEvent()
    {
        server.Apply(Cips, TestObjects.ClusterPolicy("a"));
        var watcher = Start();
        await watcher.Synced.WaitAsync(TimeSpan.FromSeconds(20));
        server.Apply(Cips, TestObjects.ClusterPolicy("b"));
        await Eventually.True(() => Names(watcher).Contains("b"), "b added");
        await Eventually.True(() => server.ActiveWatches == 1, "watching");

        // A bookmark moves the resourceVersion without an object; the resume must start after it.
        server.Bookmark(Cips);
        var bookmarked = Meta(server.Get(Cips, "b")!.ToJsonString());
        await Eventually.True(() => long.Parse(watcher.ResourceVersion!) > long.Parse(bookmarked), "bookmark seen");
        var resumeFrom = watcher.ResourceVersion!;

        server.DropWatches();
        server.Apply(Cips, TestObjects.ClusterPolicy("c"));

        await Eventually.True(() => Names(watcher).SequenceEqual(["a", "b", "c"]), "c arrives after the drop");
        Assert.Contains(server.RequestsTo("GET", Cips), r => r.Query.Contains("watch=true") && r.Query.Contains($"resourceVersion={resumeFrom}&"));
        Assert.Equal(1, watcher.Lists);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Run_ResourceVersionGone_RelistsAndReplacesCache(bool asHttpStatus)
    {
        server.GoneAsHttpStatus = asHttpStatus;
        server.Apply(Cips, TestObjects.ClusterPolicy("a"));
        var watcher = Start();
        await watcher.Synced.WaitAsync(TimeSpan.FromSeconds(20));
        await Eventually.True(() => server.ActiveWatches == 1, "watching");

        // While disconnected: history is compacted, so the delete of "a" can only be learned by a relist.
        server.Compact();
        server.DropWatches();
        server.Delete(Cips, "a");
        server.Compact();
        server.Apply(Cips, TestObjects.ClusterPolicy("d"));
        server.Compact();

        await Eventually.True(() => Names(watcher).SequenceEqual(["d"]), "relisted");
        Assert.Equal(2, watcher.Lists);
    }

    [Fact]
    public async Task Run_QuietWatchLongerThanHttpClientTimeout_StaysOpen()
    {
        // KubernetesClient's HttpClient has a request timeout (100 s by default); a watch must outlive it.
        var client = new k8s.Kubernetes(WithTimeout(server.Configuration()));
        var watcher = new ResourceWatcher<ImagePolicy>(new KubeApi(client), ResourcePath.ClusterImagePolicies, e => e.Deserialize(AgJsonContext.Default.ImagePolicy)!, TimeProvider.System, log, TestObjects.FastWatch);
        _ = Task.Run(() => watcher.RunAsync(stop.Token));
        await watcher.Synced.WaitAsync(TimeSpan.FromSeconds(20));
        await Eventually.True(() => server.ActiveWatches == 1, "watching");
        await Task.Delay(1500);
        server.Apply(Cips, TestObjects.ClusterPolicy("late"));
        await Eventually.True(() => watcher.Items.Count == 1, "event on the long-lived watch");
        Assert.Single(server.RequestsTo("GET", Cips), r => r.Query.Contains("watch=true"));
    }

    [Fact]
    public async Task Run_ServerErrorsOnList_BacksOffThenSyncs()
    {
        server.Apply(Cips, TestObjects.ClusterPolicy("a"));
        server.FailNext("GET", Cips, 503, count: 3);
        var watcher = Start();
        await watcher.Synced.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(["a"], Names(watcher));
        Assert.Equal(4, server.RequestsTo("GET", Cips).Count(r => !r.Query.Contains("watch")));
    }

    [Fact]
    public async Task Run_InvalidObject_IsCachedAsInvalidWithFieldPathAndOthersStillArrive()
    {
        // A value the CRD schema accepts (format int32 is not range-checked) that our types cannot hold.
        server.Apply(Cips, TestObjects.ClusterPolicy("bad", rules: """{"scan":{"maxCritical":3000000000}}"""));
        var watcher = Start();
        await watcher.Synced.WaitAsync(TimeSpan.FromSeconds(20));
        var bad = Assert.Single(watcher.Items);
        Assert.Null(bad.Value);
        Assert.Equal("spec.rules.scan.maxCritical", bad.ErrorField);

        server.Apply(Cips, TestObjects.ClusterPolicy("good"));
        await Eventually.True(() => watcher.Items.Any(i => i.Key == "good" && i.Value is not null), "good arrives");
    }

    [Fact]
    public async Task Run_ManyObjects_ListedInPages()
    {
        for (var i = 0; i < 5; i++)
        {
            server.Apply(Cips, TestObjects.ClusterPolicy($"p{i}"));
        }

        var watcher = Start(TestObjects.FastWatch with { PageSize = 2 });
        await watcher.Synced.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(5, watcher.Items.Count);
        Assert.Equal(3, server.RequestsTo("GET", Cips).Count(r => r.Query.Contains("limit=2")));
    }

    [Fact]
    public async Task Run_OptionalResourceMissing_SyncedEmptyAndSaidOnce()
    {
        server.Missing[Cips] = true;
        var watcher = Start(optional: true);
        await watcher.Synced.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(watcher.Absent);
        Assert.Empty(watcher.Items);

        // Installed later: it is found on a recheck.
        server.Missing.TryRemove(Cips, out _);
        server.Apply(Cips, TestObjects.ClusterPolicy("late"));
        await Eventually.True(() => watcher.Items.Count == 1, "found after the CRD appeared");
        Assert.Single(log.Entries, e => e.Message.Contains("not installed"));
    }

    [Fact]
    public async Task Run_RequiredResourceMissing_NeverSynced()
    {
        server.Missing[Cips] = true;
        var watcher = Start();
        await Eventually.True(() => server.RequestsTo("GET", Cips).Count >= 3, "retried");
        Assert.False(watcher.Synced.IsCompleted);
    }

    private ResourceWatcher<ImagePolicy> Start(WatcherOptions? options = null, bool optional = false)
    {
        var watcher = new ResourceWatcher<ImagePolicy>(
            new KubeApi(server.CreateClient()),
            ResourcePath.ClusterImagePolicies,
            e => e.Deserialize(AgJsonContext.Default.ImagePolicy)!,
            TimeProvider.System,
            log,
            options ?? TestObjects.FastWatch,
            optional);
        _ = Task.Run(() => watcher.RunAsync(stop.Token));
        return watcher;
    }

    private static string[] Names(ResourceWatcher<ImagePolicy> watcher) => [.. watcher.Items.Select(i => i.Key).Order(StringComparer.Ordinal)];

    private static string Meta(string json) => JsonDocument.Parse(json).RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString()!;

    private static k8s.KubernetesClientConfiguration WithTimeout(k8s.KubernetesClientConfiguration configuration)
    {
        configuration.HttpClientTimeout = TimeSpan.FromMilliseconds(500);
        return configuration;
    }
}
