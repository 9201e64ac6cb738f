using System.Text.Json.Nodes;
using AdmissionGuard.Audit;

namespace AdmissionGuard.Tests.Audit;

/// <summary>The background audit against the fake API server: pages, 410, 409, 403, a missing CRD, bad Pods.</summary>
public sealed class BackgroundAuditTests
{
    private static readonly string[] TwoHundred = [.. Enumerable.Range(0, 200).Select(AuditCluster.Name)];

    [Fact]
    public async Task RunOnce_TenThousandPodsIn200Namespaces_OnePolicyReportEachInPagesOf500()
    {
        await using var cluster = await AuditCluster.StartAsync(TwoHundred);
        for (var n = 0; n < 200; n++)
        {
            for (var p = 0; p < 50; p++)
            {
                // Every other Pod runs the hardened twin; the rest run the upstream image.
                cluster.AddPod(AuditCluster.Name(n), $"pod-{p:00}", p % 2 == 0 ? "nginx:1.25-hardened" : "nginx:1.25");
            }
        }

        var outcome = await cluster.Audit.RunOnceAsync(CancellationToken.None);

        Assert.True(outcome.Complete, outcome.Error);
        Assert.Equal((10_000, 10_000, 200, 200, 0), (outcome.PodsSeen, outcome.PodsJudged, outcome.Namespaces, outcome.ReportsWritten, outcome.ReportsDeleted));
        var lists = cluster.Server.RequestsTo("GET", AuditCluster.Pods);
        Assert.Equal(20, lists.Count);
        Assert.All(lists, r => Assert.Contains("limit=500", r.Query, StringComparison.Ordinal));
        Assert.Equal(19, lists.Count(r => r.Query.Contains("continue=", StringComparison.Ordinal)));

        var report = cluster.Report("ns-150")!;
        Assert.Equal("wgpolicyk8s.io/v1alpha2", (string?)report["apiVersion"]);
        Assert.Equal("PolicyReport", (string?)report["kind"]);
        Assert.Equal("admissionguard", (string?)report["metadata"]!["labels"]!["app.kubernetes.io/managed-by"]);
        var results = report["results"]!.AsArray();
        // 25 upstream Pods: a baseline warn each; 25 hardened Pods: a baseline pass each. strict does not match ns-150.
        Assert.Equal(50, results.Count);
        AssertSummaryMatches(report);
        Assert.Equal(25, (int)report["summary"]!["warn"]!);
        Assert.Equal(25, (int)report["summary"]!["pass"]!);
        var warn = results.First(r => (string?)r!["result"] == "warn")!;
        Assert.Equal("ClusterImagePolicy/baseline", (string?)warn["policy"]);
        Assert.Equal("hardened", (string?)warn["rule"]);
        Assert.Equal("medium", (string?)warn["severity"]);
        Assert.Equal("admissionguard", (string?)warn["source"]);
        Assert.Equal("container \"web\": image \"nginx:1.25\" is not hardened; use \"docker.io/library/nginx:1.25-hardened\"", (string?)warn["message"]);
        var resource = warn["resources"]!.AsArray().Single()!;
        Assert.Equal(("v1", "Pod", "ns-150"), ((string?)resource["apiVersion"], (string?)resource["kind"], (string?)resource["namespace"]));
        Assert.StartsWith("pod-", (string?)resource["name"], StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty((string?)resource["uid"]));
        var properties = warn["properties"]!.AsObject();
        Assert.Equal("web", (string?)properties["container"]);
        Assert.Equal("nginx:1.25", (string?)properties["image"]);
        Assert.Equal("docker.io/library/nginx:1.25-hardened", (string?)properties["twin"]);
        Assert.Equal("D", (string?)properties["grade"]);

        var adoption = cluster.Gauges.Current["ns-150"];
        Assert.Equal((25, 25), (adoption.Hardened, adoption.NotHardened));
        Assert.Equal((25, 25), (adoption.Grades.D, adoption.Grades.B));
        // Summed over containers, as the report counts: 25 × nginx:1.25 (1 critical, 3 high, 11 medium, 40 low) and
        // 25 × its twin (0, 1, 2, 4); avoidable: 25 × (1, 2, 9, 36).
        Assert.Equal(new AdmissionGuard.Adoption.VulnerabilityCounts(25, 100, 325, 1100, 0), adoption.Vulnerabilities);
        Assert.Equal(new AdmissionGuard.Adoption.VulnerabilityCounts(25, 50, 225, 900, 0), adoption.Avoidable);
    }

    [Fact]
    public async Task RunOnce_EnforceFailExceptionSkipAndSeveralRulesOfOnePolicy_OneResultPerImageAndPolicy()
    {
        await using var cluster = await AuditCluster.StartAsync(["ns-001"]);
        cluster.AddPod("ns-001", "app", "busybox", "legacy:1.0-hardened");

        var outcome = await cluster.Audit.RunOnceAsync(CancellationToken.None);

        Assert.True(outcome.Complete, outcome.Error);
        var report = cluster.Report("ns-001")!;
        AssertSummaryMatches(report);
        var results = report["results"]!.AsArray().Select(r => r!.AsObject()).ToList();
        var baseline = Assert.Single(results, r => (string?)r["policy"] == "ClusterImagePolicy/baseline" && (string?)r["properties"]!["image"] == "busybox");
        Assert.Equal(("warn", "hardened,tags"), ((string?)baseline["result"], (string?)baseline["rule"]));
        var strict = Assert.Single(results, r => (string?)r["policy"] == "ClusterImagePolicy/strict" && (string?)r["properties"]!["image"] == "busybox");
        Assert.Equal(("fail", "tags", "high"), ((string?)strict["result"], (string?)strict["rule"], (string?)strict["severity"]));
        Assert.Equal("container \"web\": image \"busybox\" has disallowed tag \"latest\"", (string?)strict["message"]);
        var skip = Assert.Single(results, r => (string?)r["result"] == "skip");
        Assert.Equal("ClusterImagePolicy/strict", (string?)skip["policy"]);
        Assert.Contains("SEC-123 migration", (string?)skip["message"], StringComparison.Ordinal);
        var pass = Assert.Single(results, r => (string?)r["result"] == "pass");
        Assert.Equal(("ClusterImagePolicy/baseline", "legacy:1.0-hardened"), ((string?)pass["policy"], (string?)pass["properties"]!["image"]));
        Assert.Equal(4, results.Count);
    }

    [Fact]
    public async Task RunOnce_ContinueTokenExpiredMidList_ListsAgainFromTheStart()
    {
        await using var cluster = await AuditCluster.StartAsync(TwoHundred[..3], new AuditOptions { PageSize = 2 });
        for (var p = 0; p < 5; p++)
        {
            cluster.AddPod("ns-002", $"pod-{p}", "nginx:1.25");
        }

        var expired = 0;
        cluster.Server.OnRequest = r =>
        {
            if (r.Path == AuditCluster.Pods && r.Query.Contains("continue=", StringComparison.Ordinal) && Interlocked.Exchange(ref expired, 1) == 0)
            {
                cluster.Server.FailNext("GET", AuditCluster.Pods, 410, message: "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
            }
        };

        var outcome = await cluster.Audit.RunOnceAsync(CancellationToken.None);

        Assert.True(outcome.Complete, outcome.Error);
        Assert.Equal(5, outcome.PodsSeen);
        Assert.Equal(2, cluster.Server.RequestsTo("GET", AuditCluster.Pods).Count(r => !r.Query.Contains("continue=", StringComparison.Ordinal)));
        // Each Pod once per policy: a baseline warn and a strict pass (strict matches ns-00*).
        Assert.Equal(10, cluster.Report("ns-002")!["results"]!.AsArray().Count);
    }

    [Fact]
    public async Task RunOnce_ServerFailsAPageOnce_RetriesThatPage()
    {
        await using var cluster = await AuditCluster.StartAsync(["ns-000"], new AuditOptions { PageSize = 1 });
        cluster.AddPod("ns-000", "a", "nginx:1.25");
        cluster.AddPod("ns-000", "b", "nginx:1.25");
        var failed = 0;
        cluster.Server.OnRequest = r =>
        {
            if (r.Path == AuditCluster.Pods && r.Query.Contains("continue=", StringComparison.Ordinal) && Interlocked.Exchange(ref failed, 1) == 0)
            {
                cluster.Server.FailNext("GET", AuditCluster.Pods, 503);
            }
        };

        var outcome = await cluster.Audit.RunOnceAsync(CancellationToken.None);

        Assert.True(outcome.Complete, outcome.Error);
        Assert.Equal(2, outcome.PodsJudged);
    }

    [Fact]
    public async Task RunOnce_ReportChangedBetweenReadAndReplace_RetriesOn409()
    {
        await using var cluster = await AuditCluster.StartAsync(["ns-000"]);
        cluster.AddPod("ns-000", "a", "nginx:1.25");
        Assert.True((await cluster.Audit.RunOnceAsync(CancellationToken.None)).Complete);
        cluster.Server.FailNext("PUT", "/policyreports/admissionguard", 409, message: "Operation cannot be fulfilled on policyreports.wgpolicyk8s.io \"admissionguard\": the object has been modified; please apply your changes to the latest version and try again");
        cluster.AddPod("ns-000", "b", "busybox");

        var outcome = await cluster.Audit.RunOnceAsync(CancellationToken.None);

        Assert.True(outcome.Complete, outcome.Error);
        Assert.Equal(2, cluster.Server.RequestsTo("PUT", "/namespaces/ns-000/policyreports/admissionguard").Count);
        var report = cluster.Report("ns-000")!;
        // baseline warns on both Pods; strict passes nginx:1.25 and fails busybox.
        Assert.Equal(4, report["results"]!.AsArray().Count);
        AssertSummaryMatches(report);
    }

    [Fact]
    public async Task RunOnce_NamespaceNoLongerHoldsAJudgedPod_DeletesItsReport()
    {
        await using var cluster = await AuditCluster.StartAsync(["ns-000", "ns-001"]);
        cluster.AddPod("ns-000", "a", "nginx:1.25");
        cluster.AddPod("ns-001", "b", "nginx:1.25");
        Assert.Equal(2, (await cluster.Audit.RunOnceAsync(CancellationToken.None)).ReportsWritten);
        cluster.Server.Delete(AuditCluster.Pods, "ns-001/b");

        var outcome = await cluster.Audit.RunOnceAsync(CancellationToken.None);

        Assert.Equal((1, 1), (outcome.ReportsWritten, outcome.ReportsDeleted));
        Assert.Null(cluster.Report("ns-001"));
        Assert.NotNull(cluster.Report("ns-000"));
        Assert.False(cluster.Gauges.Current.ContainsKey("ns-001"));
    }

    [Fact]
    public async Task RunOnce_PodsForbidden_ClearErrorAndNoReportTouched()
    {
        await using var cluster = await AuditCluster.StartAsync(["ns-000"]);
        cluster.AddPod("ns-000", "a", "nginx:1.25");
        cluster.Server.Forbid("list", AuditCluster.Pods);

        var outcome = await cluster.Audit.RunOnceAsync(CancellationToken.None);

        Assert.False(outcome.Complete);
        Assert.Contains("cannot list resource \"pods\" in API group \"\" at the cluster scope", outcome.Error, StringComparison.Ordinal);
        Assert.Contains("previous reports are kept", outcome.Error, StringComparison.Ordinal);
        Assert.Empty(cluster.Server.RequestsTo("POST", AuditCluster.Reports));
    }

    [Fact]
    public async Task RunOnce_PolicyReportCrdMissing_SaysSoAndStillFeedsTheGauges()
    {
        await using var cluster = await AuditCluster.StartAsync(["ns-000"]);
        cluster.AddPod("ns-000", "a", "nginx:1.25");
        cluster.Server.Missing[AuditCluster.Reports] = true;

        var outcome = await cluster.Audit.RunOnceAsync(CancellationToken.None);

        Assert.Contains("PolicyReport CRD (policyreports.wgpolicyk8s.io/v1alpha2) is not installed", outcome.Error, StringComparison.Ordinal);
        Assert.Equal(1, outcome.PodsJudged);
        Assert.Equal(1, cluster.Gauges.Current["ns-000"].NotHardened);
    }

    [Fact]
    public async Task RunOnce_UnparseableImageUnknownNamespaceAndGiganticPod_GiveResultsNotCrashes()
    {
        await using var cluster = await AuditCluster.StartAsync(["ns-000"]);
        cluster.AddPod("ns-000", "bad", "NGINX::1..2");
        cluster.AddPod("ns-unknown", "stray", "nginx:1.25");
        cluster.AddPod("ns-000", "huge", [.. Enumerable.Range(0, 2000).Select(i => $"registry.example.com/team/app-{i}:1.0")]);
        cluster.Server.Apply(AuditCluster.Pods, """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"done","namespace":"ns-000"},"spec":{"containers":[{"name":"c","image":"busybox"}]},"status":{"phase":"Succeeded"}}""");

        var outcome = await cluster.Audit.RunOnceAsync(CancellationToken.None);

        Assert.True(outcome.Complete, outcome.Error);
        Assert.Equal((4, 3), (outcome.PodsSeen, outcome.PodsJudged));
        var results = cluster.Report("ns-000")!["results"]!.AsArray();
        var bad = Assert.Single(results, r => (string?)r!["properties"]!["image"] == "NGINX::1..2" && (string?)r["policy"] == "ClusterImagePolicy/baseline")!;
        Assert.Equal(("warn", "reference"), ((string?)bad["result"], (string?)bad["rule"]));
        Assert.Contains("cannot be parsed", (string?)bad["message"], StringComparison.Ordinal);
        Assert.Equal(4000, results.Count(r => ((string?)r!["properties"]!["image"])!.StartsWith("registry.example.com/", StringComparison.Ordinal)));
        Assert.DoesNotContain(results, r => (string?)r!["properties"]!["image"] == "busybox");
        Assert.NotNull(cluster.Report("ns-unknown"));
    }

    [Fact]
    public async Task Service_PolicyChange_StartsAPassAfterTheDebounce()
    {
        await using var cluster = await AuditCluster.StartAsync(["ns-000"], new AuditOptions { Debounce = TimeSpan.FromMilliseconds(50), Interval = TimeSpan.FromHours(1) });
        cluster.AddPod("ns-000", "a", "nginx:1.25");
        var completed = new TaskCompletionSource<AuditOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.Audit.Completed += o => completed.TrySetResult(o);
        await cluster.Audit.StartAsync(CancellationToken.None);

        cluster.Store.Swap(AuditCluster.State(["ns-000"]));
        var outcome = await completed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cluster.Audit.StopAsync(CancellationToken.None);

        Assert.True(outcome.Complete, outcome.Error);
        Assert.NotNull(cluster.Report("ns-000"));
    }

    private static void AssertSummaryMatches(JsonObject report)
    {
        var results = report["results"]!.AsArray();
        var summary = report["summary"]!.AsObject();
        foreach (var outcome in new[] { "pass", "fail", "warn", "error", "skip" })
        {
            Assert.Equal(results.Count(r => (string?)r!["result"] == outcome), (int)summary[outcome]!);
        }
    }
}
