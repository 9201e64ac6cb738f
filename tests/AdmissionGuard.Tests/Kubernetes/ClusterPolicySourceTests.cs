using System.Text.Json;
using AdmissionGuard.Evaluation;
using AdmissionGuard.Hosting;
using AdmissionGuard.Kubernetes;
using AdmissionGuard.Policies;
using AdmissionGuard.Registry;
using AdmissionGuard.Serialization;
using Microsoft.Extensions.Logging;

namespace AdmissionGuard.Tests.Kubernetes;

public sealed class ClusterPolicySourceTests : IAsyncLifetime, IDisposable
{
    private static readonly string Cips = ResourcePath.ClusterImagePolicies.Collection;
    private static readonly string Ips = ResourcePath.ImagePolicies.Collection;
    private static readonly string Sources = ResourcePath.HardenedImageSources.Collection;
    private static readonly string Namespaces = ResourcePath.Namespaces.Collection;
    private static readonly string Reports = ResourcePath.VulnerabilityReports.Collection;
    private static readonly string Scans = ResourcePath.ImageScans.Collection;
    private readonly AdmissionStateStore store = new();
    private readonly CapturingLoggerProvider logs = new();
    private FakeKubeApiServer server = null!;
    private ClusterPolicySource? source;

    public async Task InitializeAsync() => server = await FakeKubeApiServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (source is not null)
        {
            await source.StopAsync(CancellationToken.None);
        }

        await server.DisposeAsync();
    }

    public void Dispose()
    {
        source?.Dispose();
        logs.Dispose();
    }

    [Fact]
    public async Task Run_PolicyCreatedChangedDeleted_ReachesSnapshot()
    {
        await StartAsync();
        await Eventually.True(() => store.Current.Loaded, "loaded");
        Assert.Equal(0, store.Current.Snapshot.PolicyCount);

        server.Apply(Cips, TestObjects.ClusterPolicy("prod"));
        await Eventually.True(() => store.Current.Snapshot.PolicyCount == 1, "policy created");
        Assert.False(Judge(store.Current, "default").Allowed);

        server.Apply(Cips, TestObjects.ClusterPolicy("prod", mode: "Warn"));
        await Eventually.True(() => store.Current.Snapshot.Policies.Single().Mode == PolicyMode.Warn, "policy changed");
        Assert.True(Judge(store.Current, "default").Allowed);

        server.Delete(Cips, "prod");
        await Eventually.True(() => store.Current.Snapshot.PolicyCount == 0, "policy deleted");
    }

    [Fact]
    public async Task Run_NamespacedPolicyAndSource_CompiledTogether()
    {
        server.Apply(Sources, TestObjects.Source("dhi"));
        server.Apply(Ips, TestObjects.NamespacedPolicy("team-a", "tags"));
        await StartAsync();
        await Eventually.True(() => store.Current.Loaded, "loaded");
        Assert.Equal(1, store.Current.Snapshot.SourceCount);
        var policy = Assert.Single(store.Current.Snapshot.Policies);
        Assert.Equal("team-a", policy.Namespace);
    }

    [Fact]
    public async Task Run_NotReadyUntilEveryWatcherListed()
    {
        server.Missing[Namespaces] = true;
        server.Apply(Cips, TestObjects.ClusterPolicy("prod"));
        await StartAsync();
        await Eventually.True(() => server.RequestsTo("GET", Namespaces).Count >= 3 && server.RequestsTo("GET", Cips).Any(r => r.Query.Contains("watch=true")), "policies watched, namespaces failing");
        Assert.False(store.Current.Loaded);

        server.Missing.TryRemove(Namespaces, out _);
        await Eventually.True(() => store.Current.Loaded, "loaded after the namespaces listed");
        Assert.Equal(1, store.Current.Snapshot.PolicyCount);
    }

    [Fact]
    public async Task Judge_NamespaceNotInCache_FailsClosed()
    {
        server.Apply(Namespaces, TestObjects.Namespace("prod-a", """{"env":"prod"}"""));
        server.Apply(Namespaces, TestObjects.Namespace("dev", """{"env":"dev"}"""));
        server.Apply(Cips, TestObjects.ClusterPolicy("prod", match: """{"namespaceSelector":{"matchLabels":{"env":"prod"}}}"""));
        await StartAsync();
        await Eventually.True(() => store.Current.Loaded && store.Current.Snapshot.PolicyCount == 1, "loaded");

        Assert.False(Judge(store.Current, "prod-a").Allowed);
        Assert.True(Judge(store.Current, "dev").Allowed);
        Assert.Null(store.Current.LabelsOf("created-a-moment-ago"));
        Assert.False(Judge(store.Current, "created-a-moment-ago").Allowed);

        // Once the watch delivers it, its labels decide.
        server.Apply(Namespaces, TestObjects.Namespace("created-a-moment-ago", """{"env":"dev"}"""));
        await Eventually.True(() => store.Current.LabelsOf("created-a-moment-ago") is not null, "namespace cached");
        Assert.True(Judge(store.Current, "created-a-moment-ago").Allowed);
    }

    [Fact]
    public async Task Run_InvalidAndValidPolicies_LeaderPatchesReadyConditionsOnce()
    {
        server.Apply(Cips, TestObjects.ClusterPolicy("good"));
        // Invalid in ways the CRD schema accepts (the API server prunes a misspelt field and refuses an unknown grade).
        server.Apply(Cips, TestObjects.ClusterPolicy("bad", rules: """{"registries":{"allowed":["dhi.io/Bad Repo"]}}"""));
        server.Apply(Cips, TestObjects.ClusterPolicy("grade", rules: """{"scan":{"maxCritical":3000000000}}"""));
        await StartAsync();

        await Eventually.True(() => server.RequestsTo("PATCH", "/status").Count == 3, "three status patches");
        var bad = Patch("bad");
        Assert.Equal("application/merge-patch+json", server.RequestsTo("PATCH", "/bad/status").Single().ContentType);
        var condition = bad.GetProperty("status").GetProperty("conditions")[0];
        Assert.Equal("Ready", condition.GetProperty("type").GetString());
        Assert.Equal("False", condition.GetProperty("status").GetString());
        Assert.Equal("Invalid", condition.GetProperty("reason").GetString());
        Assert.Contains("spec.rules.registries.allowed[0]", condition.GetProperty("message").GetString());
        Assert.EndsWith("; not enforced", condition.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, bad.GetProperty("status").GetProperty("observedGeneration").GetInt64());
        Assert.Contains("spec.rules.scan.maxCritical", Patch("grade").GetProperty("status").GetProperty("conditions")[0].GetProperty("message").GetString());
        Assert.Equal("True", Patch("good").GetProperty("status").GetProperty("conditions")[0].GetProperty("status").GetString());

        // Our own writes come back as watch events and rebuild; nothing changed, so nothing more is written.
        await RebuildBarrierAsync("poke");
        Assert.Equal(3, server.RequestsTo("PATCH", "/status").Count);

        // Fixed: generation 2, Ready=True, written again.
        server.Apply(Cips, TestObjects.ClusterPolicy("bad"));
        await Eventually.True(() => server.RequestsTo("PATCH", "/bad/status").Count == 2, "fixed policy patched");
        var fixedStatus = Patch("bad").GetProperty("status");
        Assert.Equal(2, fixedStatus.GetProperty("observedGeneration").GetInt64());
        Assert.Equal("True", fixedStatus.GetProperty("conditions")[0].GetProperty("status").GetString());
        await Eventually.True(() => store.Current.Snapshot.PolicyCount == 2 && store.Current.Snapshot.Errors.Count == 1, "bad compiled, grade still invalid");
    }

    [Fact]
    public async Task Run_ValidPolicyEditedToInvalid_LastGoodVersionStillEnforcedAndStatusSaysSo()
    {
        server.Apply(Cips, TestObjects.ClusterPolicy("prod"));
        await StartAsync();
        await Eventually.True(() => server.RequestsTo("PATCH", "/prod/status").Count == 1, "Ready=True written");
        Assert.False(Judge(store.Current, "default").Allowed);

        // An edit the CRD schema accepts but the compiler does not (generation 2).
        server.Apply(Cips, TestObjects.ClusterPolicy("prod", rules: """{"registries":{"allowed":["dhi.io/Bad Repo"]}}"""));
        await Eventually.True(() => server.RequestsTo("PATCH", "/prod/status").Count == 2, "Ready=False written");

        var condition = Patch("prod").GetProperty("status").GetProperty("conditions")[0];
        Assert.Equal(("False", "Invalid"), (condition.GetProperty("status").GetString(), condition.GetProperty("reason").GetString()));
        Assert.EndsWith("; the last good version (generation 1) is still enforced", condition.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Single(store.Current.Snapshot.Errors);
        Assert.False(Judge(store.Current, "default").Allowed);

        // Deleted: nothing of it is enforced any more.
        server.Delete(Cips, "prod");
        await Eventually.True(() => store.Current.Snapshot.PolicyCount == 0, "deleted");
        Assert.True(Judge(store.Current, "default").Allowed);
    }

    [Fact]
    public async Task Run_NotLeader_WritesNoStatusUntilElected()
    {
        server.Apply(Cips, TestObjects.ClusterPolicy("good"));
        var leadership = new TestLeadership(false);
        await StartAsync(leadership: leadership);
        await Eventually.True(() => store.Current.Loaded, "loaded");
        await RebuildBarrierAsync("poke");
        Assert.Empty(server.RequestsTo("PATCH", "/status"));

        leadership.IsLeader = true;
        await Eventually.True(() => server.RequestsTo("PATCH", "/good/status").Count == 1, "leader writes");
    }

    [Fact]
    public async Task Run_StatusPatchFails_RetriedLater()
    {
        server.Apply(Cips, TestObjects.ClusterPolicy("good"));
        server.FailNext("PATCH", "/status", 500);
        await StartAsync();
        await Eventually.True(() => server.RequestsTo("PATCH", "/good/status").Count == 2, "retried after a 500");
        Assert.Equal("Compiled", server.Get(Cips, "good")!["status"]!["conditions"]![0]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Run_TrivyOperatorAbsent_DisabledWithOneLogLine()
    {
        server.Missing[Reports] = true;
        server.Missing[ResourcePath.ClusterVulnerabilityReports.Collection] = true;
        await StartAsync(trivy: true);
        await Eventually.True(() => store.Current.Loaded, "loaded without trivy-operator");
        Assert.Single(logs.Lines, l => l.Contains(" vulnerabilityreports.aquasecurity.github.io is not installed"));
        Assert.Single(logs.Lines, l => l.Contains("clustervulnerabilityreports.aquasecurity.github.io is not installed"));
    }

    [Fact]
    public async Task Run_TrivyOperatorPresent_ReportsFeedScans()
    {
        var fixture = File.ReadAllText(Fixture("trivy-operator/defectdojo-ubuntu-20.04-vulnerabilityreport.json"));
        server.Apply(Reports, fixture);
        await StartAsync(trivy: true);
        await Eventually.True(() => store.Current.Loaded && store.Current.Scans.Count == 1, "report became a scan");

        Assert.True(Images.ImageReferenceParser.TryParse("docker.io/library/ubuntu:20.04", out var image, out _));
        var record = store.Current.Scans.Find(image, "sha256:f78909c2b360d866b3220655c0b079838258b8891a12ac25fc670f0cbb54229f");
        Assert.NotNull(record);

        server.Delete(Reports, "lbc/pod-ubuntu-ubuntu");
        await Eventually.True(() => store.Current.Scans.Count == 0, "report deleted");
    }

    [Fact]
    public async Task Run_InvalidImageScan_LeftOutWithOneWarningNamingTheField_OthersGrade()
    {
        const string Good = "sha256:1e19569fea08c6de312a4862d532eb7007b3098b4110eeaa22f34333358f0b78";
        const string Bad = "sha256:f78909c2b360d866b3220655c0b079838258b8891a12ac25fc670f0cbb54229f";
        // Well-formed, but more fixable findings than findings: the object decodes and only the check refuses it.
        static string Scan(string digest, int fixableHigh) => $$"""
            {"apiVersion":"admissionguard.io/v1alpha1","kind":"ImageScan","metadata":{"name":"sha256-{{digest[7..47]}}"},
             "spec":{"image":"docker.io/library/nginx:1.25","digest":"{{digest}}","scanner":{"name":"trivy","version":"0.58.0"},
                     "scannedAt":"2026-11-20T10:00:00Z","vulnerabilities":{"critical":0,"high":2,"medium":0,"low":0,"unknown":0},
                     "fixable":{"critical":0,"high":{{fixableHigh}}} } }
            """;
        server.Apply(Scans, Scan(Good, 1));
        server.Apply(Scans, Scan(Bad, 5));
        await StartAsync();
        await Eventually.True(() => store.Current.Loaded, "loaded");

        Assert.Equal(1, store.Current.Scans.Count);
        Assert.True(Images.ImageReferenceParser.TryParse("docker.io/library/nginx:1.25", out var image, out _));
        Assert.Equal(2, store.Current.Scans.Find(image, Good)?.High);
        Assert.Null(store.Current.Scans.Find(image, Bad));
        var warning = Assert.Single(logs.Lines, l => l.Contains("ImageScan", StringComparison.Ordinal) && l.Contains("invalid", StringComparison.Ordinal));
        Assert.Contains("sha256-f78909c2b360d866b3220655c0b079838258b889", warning, StringComparison.Ordinal);
        Assert.EndsWith("is invalid and not used: spec.fixable.high: must not exceed spec.vulnerabilities.high", warning, StringComparison.Ordinal);

        // Fixed in place, the scan is graded on the next rebuild.
        server.Apply(Scans, Scan(Bad, 2));
        await Eventually.True(() => store.Current.Scans.Count == 2, "the fixed scan is used");
    }

    /// <summary>
    /// Returns once every rebuild round started before it has finished, status writes included: rounds run one after
    /// another, so a namespace applied now and then seen in the store (twice, for a round already under way) marks the
    /// end of all earlier ones. This replaces a fixed sleep for showing that nothing more was written.
    /// </summary>
    private async Task RebuildBarrierAsync(string name)
    {
        foreach (var marker in new[] { name, name + "-again" })
        {
            server.Apply(Namespaces, TestObjects.Namespace(marker));
            await Eventually.True(() => store.Current.LabelsOf(marker) is not null, $"namespace {marker} rebuilt");
        }
    }

    private async Task StartAsync(ILeadership? leadership = null, bool trivy = false)
    {
        var loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var options = new ClusterModeOptions { Watch = TestObjects.FastWatch, TrivyOperatorReports = trivy, Debounce = TimeSpan.FromMilliseconds(20) };
        source = new ClusterPolicySource(new KubeApi(server.CreateClient()), store, options, leadership ?? new TestLeadership(true), TimeProvider.System, loggers);
        await source.StartAsync(CancellationToken.None);
    }

    private JsonElement Patch(string name) =>
        JsonDocument.Parse(server.RequestsTo("PATCH", $"/{name}/status")[^1].Body).RootElement;

    private static Verdict Judge(AdmissionState state, string ns)
    {
        var pod = JsonSerializer.Deserialize(
            """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"NS"},"spec":{"containers":[{"name":"web","image":"docker.io/library/nginx:latest"}]}}""".Replace("NS", ns, StringComparison.Ordinal),
            AgJsonContext.Default.WorkloadObject)!;
        return new PolicyEngine(state.Scans, NoRegistryFacts.Instance, TimeProvider.System)
            .Evaluate(state.Snapshot, new EvaluationInput("Pod", pod, ns, state.LabelsOf(ns)), EvaluationPurpose.Validate);
    }

    private static string Fixture(string relative)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AdmissionGuard.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        return Path.GetFullPath(Path.Combine(directory.FullName, "tests", "fixtures", "scanners", "trivy-operator", relative.Replace("trivy-operator/", "", StringComparison.Ordinal)));
    }
}
