using AdmissionGuard.Kubernetes;
using AdmissionGuard.Tests.Certificates;

namespace AdmissionGuard.Tests.Kubernetes;

public sealed class LeaseLeaderElectorTests : IAsyncLifetime
{
    private const string Leases = "/apis/coordination.k8s.io/v1/leases";
    private FakeKubeApiServer server = null!;
    private readonly List<LeaseLeaderElector> electors = [];

    public async Task InitializeAsync() => server = await FakeKubeApiServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var elector in electors)
        {
            await elector.StopAsync(CancellationToken.None);
            elector.Dispose();
        }

        await server.DisposeAsync();
    }

    [Fact]
    public async Task Run_TwoReplicas_ExactlyOneLeadsAndTheOtherTakesOverOnRelease()
    {
        // A long lease: the takeover below can only come from the release, not from expiry.
        var options = new LeaderElectionOptions { LeaseDuration = TimeSpan.FromSeconds(60), RenewDeadline = TimeSpan.FromSeconds(40), RetryPeriod = TimeSpan.FromMilliseconds(100) };
        var a = await StartAsync("replica-a", options);
        var b = await StartAsync("replica-b", options);

        await Eventually.True(() => a.IsLeader || b.IsLeader, "someone leads");
        for (var i = 0; i < 10; i++)
        {
            Assert.False(a.IsLeader && b.IsLeader, "two leaders");
            await Task.Delay(50);
        }

        var (leader, follower) = a.IsLeader ? (a, b) : (b, a);
        Assert.True(leader.IsLeader);
        Assert.False(follower.IsLeader);
        Assert.Equal(leader.Identity, HolderIdentity());

        await leader.StopAsync(CancellationToken.None);
        Assert.False(leader.IsLeader);
        await Eventually.True(() => follower.IsLeader, "follower takes over after the release");
        Assert.Equal(follower.Identity, HolderIdentity());
        Assert.Equal(1, (int)server.Get(Leases, "ag/ag-leader")!["spec"]!["leaseTransitions"]!);

        // Every write is a compare-and-swap on the resourceVersion read before it.
        Assert.NotEmpty(server.RequestsTo("PATCH", "/leases/"));
        Assert.All(server.RequestsTo("PATCH", "/leases/"), r => Assert.Contains("\"resourceVersion\"", r.Body, StringComparison.Ordinal));

        // Only the verbs the chart grants: get, create, patch.
        Assert.All(server.Requests.Where(r => r.Path.Contains("/leases", StringComparison.Ordinal)), r => Assert.Contains(r.Method, new[] { "GET", "POST", "PATCH" }));
    }

    [Fact]
    public async Task Run_LeaseCarriesManagedFields_RenewsWithoutSendingThemBack()
    {
        // A real API server returns metadata.managedFields (free-form fieldsV1) on every object; re-serializing a
        // Lease read with them threw NotSupportedException (no JsonElement metadata in the client's AOT context).
        var options = new LeaderElectionOptions { LeaseDuration = TimeSpan.FromSeconds(60), RenewDeadline = TimeSpan.FromSeconds(40), RetryPeriod = TimeSpan.FromMilliseconds(50) };
        var a = await StartAsync("replica-a", options);
        await Eventually.True(() => a.ExecuteTask!.IsCompleted || Writes().Count >= 3, "three renewals after winning");
        Assert.Null(a.ExecuteTask!.Exception);
        Assert.True(a.IsLeader);
        Assert.NotNull(server.Get(Leases, "ag/ag-leader")!["metadata"]!["managedFields"]);
        Assert.All(Writes(), w => Assert.DoesNotContain("managedFields", w.Body, StringComparison.Ordinal));
        Assert.All(Writes(), w => Assert.DoesNotContain("\"uid\"", w.Body, StringComparison.Ordinal));

        IReadOnlyList<RecordedRequest> Writes() => [.. server.RequestsTo("PUT", "/leases/ag-leader"), .. server.RequestsTo("PATCH", "/leases/ag-leader")];
    }

    [Fact]
    public async Task Run_HolderStopsRenewing_TakenOverAfterLeaseDurationByOurClock()
    {
        var stale = new LeaderElectionOptions { LeaseDuration = TimeSpan.FromSeconds(1), RenewDeadline = TimeSpan.FromMilliseconds(800), RetryPeriod = TimeSpan.FromMilliseconds(100) };

        // A holder that crashed: its renewTime is in the far future by a skewed clock, which must not matter.
        server.Apply(Leases, """
            {"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"ag-leader","namespace":"ag"},
             "spec":{"holderIdentity":"crashed","leaseDurationSeconds":1,"renewTime":"2099-01-01T00:00:00.000000Z","leaseTransitions":3}}
            """);
        var a = await StartAsync("replica-a", stale);
        await Task.Delay(300);
        Assert.False(a.IsLeader);
        await Eventually.True(() => a.IsLeader, "expired lease taken");
        Assert.Equal("replica-a", HolderIdentity());
    }

    [Fact]
    public async Task Run_ApiServerFailsLongerThanRenewDeadline_StepsDown()
    {
        var options = new LeaderElectionOptions { LeaseDuration = TimeSpan.FromSeconds(3), RenewDeadline = TimeSpan.FromSeconds(1), RetryPeriod = TimeSpan.FromMilliseconds(100) };
        var a = await StartAsync("replica-a", options);
        await Eventually.True(() => a.IsLeader, "leads");
        server.FailNext("GET", "/leases/ag-leader", 500, count: 1000);
        await Eventually.True(() => !a.IsLeader, "stepped down");
    }

    private async Task<LeaseLeaderElector> StartAsync(string identity, LeaderElectionOptions options)
    {
        var elector = new LeaseLeaderElector(new KubeApi(server.CreateClient()), "ag", "ag-leader", identity, options, TimeProvider.System, new ListLogger<LeaseLeaderElector>());
        electors.Add(elector);
        await elector.StartAsync(CancellationToken.None);
        return elector;
    }

    private string? HolderIdentity() =>
        server.Get(Leases, "ag/ag-leader")?["spec"]?["holderIdentity"]?.GetValue<string>();
}
