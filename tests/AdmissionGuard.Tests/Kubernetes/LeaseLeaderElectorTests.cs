using AdmissionGuard.Kubernetes;
using AdmissionGuard.Tests.Certificates;

namespace AdmissionGuard.Tests.Kubernetes;

public sealed class LeaseLeaderElectorTests : IAsyncLifetime
{
    private const string Leases = "/apis/coordination.k8s.io/v1/leases";
    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(100);

    // Every wait below is one loop iteration on a fake clock: no sleep, and no race with a real one-second lease.
    private readonly SteppedTimeProvider time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
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
        var options = new LeaderElectionOptions { LeaseDuration = TimeSpan.FromSeconds(60), RenewDeadline = TimeSpan.FromSeconds(40), RetryPeriod = Retry };
        var a = await StartAsync("replica-a", options);
        var b = await StartAsync("replica-b", options);

        // Each round: both replicas have tried once and parked in their retry delay; exactly one leads, always the same.
        await time.WaitForTimersAsync(Retry, 2, "both replicas tried once");
        var (leader, follower) = a.IsLeader ? (a, b) : (b, a);
        for (var round = 1; round <= 10; round++)
        {
            Assert.True(leader.IsLeader, $"round {round}: the first leader keeps the lease");
            Assert.False(follower.IsLeader, $"round {round}: two leaders");
            time.Advance(Retry);
            await time.WaitForTimersAsync(Retry, 2 * (round + 1), $"round {round + 1}");
        }

        Assert.Equal(leader.Identity, HolderIdentity());

        await leader.StopAsync(CancellationToken.None);
        Assert.False(leader.IsLeader);
        Assert.Null(HolderIdentity());
        time.Advance(Retry);
        await time.WaitForTimersAsync(Retry, 23, "the follower's next try");
        Assert.True(follower.IsLeader, "follower takes over after the release, long before the lease would expire");
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
        var options = new LeaderElectionOptions { LeaseDuration = TimeSpan.FromSeconds(60), RenewDeadline = TimeSpan.FromSeconds(40), RetryPeriod = Retry };
        var a = await StartAsync("replica-a", options);
        await time.WaitForTimersAsync(Retry, 1, "the lease created");
        for (var renewal = 1; renewal <= 3; renewal++)
        {
            time.Advance(Retry);
            await time.WaitForTimersAsync(Retry, renewal + 1, $"renewal {renewal}");
        }

        Assert.False(a.ExecuteTask!.IsCompleted);
        Assert.True(a.IsLeader);
        Assert.Equal(3, Writes().Count);
        Assert.NotNull(server.Get(Leases, "ag/ag-leader")!["metadata"]!["managedFields"]);
        Assert.All(Writes(), w => Assert.DoesNotContain("managedFields", w.Body, StringComparison.Ordinal));
        Assert.All(Writes(), w => Assert.DoesNotContain("\"uid\"", w.Body, StringComparison.Ordinal));

        IReadOnlyList<RecordedRequest> Writes() => [.. server.RequestsTo("PUT", "/leases/ag-leader"), .. server.RequestsTo("PATCH", "/leases/ag-leader")];
    }

    [Fact]
    public async Task Run_HolderStopsRenewing_TakenOverAfterLeaseDurationByOurClock()
    {
        var stale = new LeaderElectionOptions { LeaseDuration = TimeSpan.FromSeconds(1), RenewDeadline = TimeSpan.FromMilliseconds(800), RetryPeriod = Retry };

        // A holder that crashed: its renewTime is in the far future by a skewed clock, which must not matter.
        server.Apply(Leases, """
            {"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"ag-leader","namespace":"ag"},
             "spec":{"holderIdentity":"crashed","leaseDurationSeconds":1,"renewTime":"2099-01-01T00:00:00.000000Z","leaseTransitions":3}}
            """);
        var a = await StartAsync("replica-a", stale);

        // Tries at 0, 100, ..., 900 ms after first seeing the lease unchanged: still held by "crashed".
        for (var attempt = 1; attempt <= 10; attempt++)
        {
            await time.WaitForTimersAsync(Retry, attempt, $"attempt {attempt}");
            Assert.False(a.IsLeader, $"taken {(attempt - 1) * 100} ms after it was first seen, before the lease duration");
            Assert.Empty(server.RequestsTo("PATCH", "/leases/ag-leader"));
            time.Advance(Retry);
        }

        // At exactly one lease duration by our clock it is free to take.
        await time.WaitForTimersAsync(Retry, 11, "attempt at 1000 ms");
        Assert.True(a.IsLeader, "expired lease taken");
        Assert.Equal("replica-a", HolderIdentity());
        Assert.Equal(4, (int)server.Get(Leases, "ag/ag-leader")!["spec"]!["leaseTransitions"]!);
    }

    [Fact]
    public async Task Run_ApiServerFailsLongerThanRenewDeadline_StepsDown()
    {
        var options = new LeaderElectionOptions { LeaseDuration = TimeSpan.FromSeconds(3), RenewDeadline = TimeSpan.FromSeconds(1), RetryPeriod = Retry };
        var a = await StartAsync("replica-a", options);
        await time.WaitForTimersAsync(Retry, 1, "the lease created");
        Assert.True(a.IsLeader);
        server.FailNext("GET", "/leases/ag-leader", 500, count: 1000);

        // Renewals fail from 100 ms on; it keeps leading while the last renewal is younger than the renew deadline.
        for (var attempt = 2; attempt <= 10; attempt++)
        {
            time.Advance(Retry);
            await time.WaitForTimersAsync(Retry, attempt, $"failed renewal at {(attempt - 1) * 100} ms");
            Assert.True(a.IsLeader, $"stepped down {(attempt - 1) * 100} ms after the last renewal, before the renew deadline");
        }

        time.Advance(Retry);
        await time.WaitForTimersAsync(Retry, 11, "failed renewal at 1000 ms");
        Assert.False(a.IsLeader, "stepped down at the renew deadline");
    }

    private async Task<LeaseLeaderElector> StartAsync(string identity, LeaderElectionOptions options)
    {
        var elector = new LeaseLeaderElector(new KubeApi(server.CreateClient()), "ag", "ag-leader", identity, options, time, new ListLogger<LeaseLeaderElector>());
        electors.Add(elector);
        await elector.StartAsync(CancellationToken.None);
        return elector;
    }

    private string? HolderIdentity() =>
        server.Get(Leases, "ag/ag-leader")?["spec"]?["holderIdentity"]?.GetValue<string>();
}
