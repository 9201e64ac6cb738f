using System.Globalization;
using System.Text.Json.Nodes;
using AdmissionGuard.Audit;
using AdmissionGuard.Hosting;
using AdmissionGuard.Kubernetes;
using AdmissionGuard.Policies;
using AdmissionGuard.Registry;
using AdmissionGuard.Scans;
using AdmissionGuard.Serialization;
using AdmissionGuard.Tests.Kubernetes;
using Microsoft.Extensions.Logging.Abstractions;

namespace AdmissionGuard.Tests.Audit;

/// <summary>A fake API server holding Pods, the admission snapshot of the policies below, and a background audit over both.</summary>
internal sealed class AuditCluster : IAsyncDisposable
{
    public const string Pods = "/api/v1/pods";
    public const string Reports = "/apis/wgpolicyk8s.io/v1alpha2/policyreports";

    /// <summary>
    /// What <c>serve</c> in cluster mode finds in a small cluster: the "-hardened" suffix source, the Audit policy
    /// "baseline" requiring it, and in namespace team one Pod that is not hardened (web, nginx:1.25) and one that is.
    /// </summary>
    public static void SeedServeCluster(FakeKubeApiServer api)
    {
        api.Apply(ResourcePath.HardenedImageSources.Collection, """
            {"apiVersion":"admissionguard.io/v1alpha1","kind":"HardenedImageSource","metadata":{"name":"suffix"},
             "spec":{"hardened":["**:*-hardened"],"mappings":[{"from":"**","to":"{repository}:{tag}-hardened"}],"verifyExists":false}}
            """);
        api.Apply(ResourcePath.ClusterImagePolicies.Collection, """
            {"apiVersion":"admissionguard.io/v1alpha1","kind":"ClusterImagePolicy","metadata":{"name":"baseline"},
             "spec":{"mode":"Audit","rules":{"hardened":{"required":true,"sources":["suffix"]}}}}
            """);
        api.Apply(ResourcePath.Namespaces.Collection, Kubernetes.TestObjects.Namespace("team"));
        api.Apply(Pods, PodJson("team", "web", "nginx:1.25"));
        api.Apply(Pods, PodJson("team", "db", "postgres:16-hardened"));
    }

    /// <summary>
    /// baseline (Audit, every namespace): hardened by the "-hardened" tag suffix, no latest tag. strict (Enforce,
    /// namespaces ns-00*): no latest tag, with an exception for legacy images in ns-001. One scan for nginx:1.25.
    /// </summary>
    public const string PolicyYaml = """
        apiVersion: admissionguard.io/v1alpha1
        kind: HardenedImageSource
        metadata: {name: suffix}
        spec:
          hardened: ["**:*-hardened"]
          mappings:
            - from: "**"
              to: "{repository}:{tag}-hardened"
          verifyExists: false
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: ClusterImagePolicy
        metadata: {name: baseline}
        spec:
          mode: Audit
          rules:
            hardened: {required: true, sources: [suffix]}
            tags: {disallowed: ["latest"]}
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: ClusterImagePolicy
        metadata: {name: strict}
        spec:
          mode: Enforce
          match: {namespaces: ["ns-00*"]}
          rules:
            tags: {disallowed: ["latest"]}
          exceptions:
            - images: ["docker.io/library/legacy:*"]
              namespaces: ["ns-001"]
              expires: "2999-01-01T00:00:00Z"
              reason: "SEC-123 migration"
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: ImageScan
        metadata: {name: sha256-1e19569fea08c6de312a4862d532eb7007b3098b}
        spec:
          image: docker.io/library/nginx:1.25
          digest: sha256:1e19569fea08c6de312a4862d532eb7007b3098b4110eeaa22f34333358f0b78
          scanner: {name: trivy, version: "0.58.0"}
          scannedAt: "2026-11-30T10:00:00Z"
          vulnerabilities: {critical: 1, high: 3, medium: 11, low: 40, unknown: 0}
          fixable: {critical: 0, high: 0}
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: ImageScan
        metadata: {name: sha256-2e19569fea08c6de312a4862d532eb7007b3098b}
        spec:
          image: docker.io/library/nginx:1.25-hardened
          digest: sha256:2e19569fea08c6de312a4862d532eb7007b3098b4110eeaa22f34333358f0b78
          scanner: {name: trivy, version: "0.58.0"}
          scannedAt: "2026-11-30T10:00:00Z"
          vulnerabilities: {critical: 0, high: 1, medium: 2, low: 4, unknown: 0}
          fixable: {critical: 0, high: 0}
        """;

    private AuditCluster(FakeKubeApiServer server, AdmissionStateStore store, BackgroundAudit audit, AdoptionGauges gauges)
    {
        Server = server;
        Store = store;
        Audit = audit;
        Gauges = gauges;
    }

    public FakeKubeApiServer Server { get; }

    public AdmissionStateStore Store { get; }

    public BackgroundAudit Audit { get; }

    public AdoptionGauges Gauges { get; }

    public static async Task<AuditCluster> StartAsync(IEnumerable<string> namespaces, AuditOptions? options = null, ILeadership? leadership = null)
    {
        var server = await FakeKubeApiServer.StartAsync();
        var store = new AdmissionStateStore();
        store.Swap(State(namespaces));
        var gauges = new AdoptionGauges();
        var audit = new BackgroundAudit(new KubeApi(server.CreateClient()), store, leadership ?? new TestLeadership(true), NoRegistryFacts.Instance, gauges,
            options ?? new AuditOptions { PageSize = 500 }, new FixedClock(), NullLogger<BackgroundAudit>.Instance);
        return new AuditCluster(server, store, audit, gauges);
    }

    public static AdmissionState State(IEnumerable<string> namespaces)
    {
        var set = new ManifestSet();
        set.AddText(PolicyYaml, "policies.yaml");
        Assert.Empty(set.Errors);
        var snapshot = PolicyCompiler.Compile(set.Sources, set.Policies);
        Assert.Empty(snapshot.Errors);
        var scans = ScanIndex.Build(set.Scans, GradeScale.Default);
        Assert.Empty(scans.Errors);
        var labels = namespaces.ToDictionary(n => n, n => new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = n }, StringComparer.Ordinal);
        return new AdmissionState(snapshot, scans.Index, labels, Loaded: true, NamespacesComplete: true);
    }

    public static string PodJson(string ns, string name, params string[] images) => new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = new JsonObject { ["app"] = name } },
        ["spec"] = new JsonObject
        {
            ["containers"] = new JsonArray([.. images.Select((image, i) => (JsonNode)new JsonObject { ["name"] = i == 0 ? "web" : $"c{i}", ["image"] = image })]),
        },
        ["status"] = new JsonObject { ["phase"] = "Running" },
    }.ToJsonString();

    public void AddPod(string ns, string name, params string[] images) => Server.Apply(Pods, PodJson(ns, name, images));

    public JsonObject? Report(string ns) => Server.Get(Reports, $"{ns}/admissionguard");

    public static string Name(int i) => "ns-" + i.ToString("000", CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        Audit.Dispose();
        Gauges.Dispose();
        await Server.DisposeAsync();
    }

    /// <summary>The audit's clock: after the scans were taken, before the exception expires.</summary>
    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    }
}
