using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using AdmissionGuard.Telemetry;
using AdmissionGuard.Hosting;
using Eventually = AdmissionGuard.Tests.Kubernetes.Eventually;
using AdmissionGuard.Tests.Webhooks;
using Microsoft.Extensions.Time.Testing;

namespace AdmissionGuard.Tests.Telemetry;

/// <summary>Decision records as <c>serve</c> writes them to its stdout, one JSON object per line, in each mode.</summary>
public sealed class DecisionRecordTests
{
    private static readonly string[] Fields =
        ["ts", "webhook", "decision", "namespace", "kind", "name", "policy", "rule", "mode", "container", "list", "image", "twin", "grade", "reason", "uid", "dryRun"];

    private static readonly Dictionary<string, string> Policies = new()
    {
        ["sources.yaml"] = """
            apiVersion: admissionguard.io/v1alpha1
            kind: HardenedImageSource
            metadata: {name: suffix}
            spec:
              hardened: ["**:*-hardened"]
              mappings:
                - from: "**"
                  to: "{repository}:{tag}-hardened"
              verifyExists: false
            """,
        ["policies.yaml"] = """
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: observe}
            spec:
              mode: Audit
              match: {namespaces: ["team-audit"]}
              rules:
                hardened: {required: true, sources: [suffix]}
                tags: {disallowed: ["latest"]}
            ---
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: nudge}
            spec:
              mode: Warn
              match: {namespaces: ["team-warn"]}
              rules:
                hardened: {required: true, sources: [suffix]}
            ---
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: block}
            spec:
              mode: Enforce
              match: {namespaces: ["team-enforce"]}
              rules:
                hardened: {required: true, sources: [suffix]}
              rewrite: {enabled: true}
            """,
    };

    private static readonly Dictionary<string, string> Scans = new()
    {
        ["nginx.yaml"] = $"""
            apiVersion: admissionguard.io/v1alpha1
            kind: ImageScan
            metadata: {"{"}name: sha256-1e19569fea08c6de312a4862d532eb7007b3098b{"}"}
            spec:
              image: docker.io/library/nginx:1.25
              digest: sha256:1e19569fea08c6de312a4862d532eb7007b3098b4110eeaa22f34333358f0b78
              scanner: {"{"}name: trivy, version: "0.58.0"{"}"}
              scannedAt: "{DateTimeOffset.UtcNow.AddDays(-1):yyyy-MM-ddTHH:mm:ssZ}"
              vulnerabilities: {"{"}critical: 0, high: 2, medium: 11, low: 40, unknown: 0{"}"}
              fixable: {"{"}critical: 0, high: 0{"}"}
            """,
    };

    [Fact]
    public async Task Serve_ViolationsInAuditWarnAndEnforce_OneRecordPerImageAndPolicyWithEveryField()
    {
        await using var server = await WebhookServer.StartWithAsync(Policies, Scans);

        var audited = TestObjects.Load("Pod", "team-audit", "nginx:1.25");
        TestObjects.Containers(audited, "initContainers").Add(TestObjects.Container("setup", "busybox"));
        await server.ReviewAsync("/validate", TestObjects.Review(audited, uid: "uid-audit"));
        await server.ReviewAsync("/validate", TestObjects.Review(TestObjects.Load("Pod", "team-warn", "nginx:1.25"), uid: "uid-warn", dryRun: true));
        var denied = await server.ReviewAsync("/validate", TestObjects.Review(TestObjects.Load("Pod", "team-enforce", "nginx:1.25"), uid: "uid-enforce"));
        Assert.False((bool)denied["allowed"]!);

        var records = await RecordsAsync(server, 4);

        var web = Assert.Single(records, r => (string?)r["uid"] == "uid-audit" && (string?)r["container"] == "web");
        AssertRecord(web, "validate", "audited", "team-audit", "Pod", "web", "ClusterImagePolicy/observe", "hardened", "Audit", "web", "container",
            "nginx:1.25", "docker.io/library/nginx:1.25-hardened", "B",
            "container \"web\": image \"nginx:1.25\" is not hardened; use \"docker.io/library/nginx:1.25-hardened\"", "uid-audit", false);
        var setup = Assert.Single(records, r => (string?)r["uid"] == "uid-audit" && (string?)r["container"] == "setup");
        AssertRecord(setup, "validate", "audited", "team-audit", "Pod", "web", "ClusterImagePolicy/observe", "hardened,tags", "Audit", "setup", "initContainer",
            "busybox", "docker.io/library/busybox:latest-hardened", null,
            "initContainer \"setup\": image \"busybox\" is not hardened; use \"docker.io/library/busybox:latest-hardened\"; initContainer \"setup\": image \"busybox\" has disallowed tag \"latest\"",
            "uid-audit", false);
        AssertRecord(Assert.Single(records, r => (string?)r["uid"] == "uid-warn"), "validate", "warned", "team-warn", "Pod", "web", "ClusterImagePolicy/nudge",
            "hardened", "Warn", "web", "container", "nginx:1.25", "docker.io/library/nginx:1.25-hardened", "B",
            "container \"web\": image \"nginx:1.25\" is not hardened; use \"docker.io/library/nginx:1.25-hardened\"", "uid-warn", true);
        var enforce = Assert.Single(records, r => (string?)r["uid"] == "uid-enforce");
        AssertRecord(enforce, "validate", "denied", "team-enforce", "Pod", "web", "ClusterImagePolicy/block",
            "hardened", "Enforce", "web", "container", "nginx:1.25", "docker.io/library/nginx:1.25-hardened", "B",
            "container \"web\": image \"nginx:1.25\" is not hardened; use \"docker.io/library/nginx:1.25-hardened\"", "uid-enforce", false);
        // The reason is the very line the denial message shows.
        Assert.Contains("\n- " + (string)enforce["reason"]!, (string)denied["status"]!["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_RewriteAtMutate_RecordsRewritten()
    {
        await using var server = await WebhookServer.StartWithAsync(Policies, Scans);

        await server.ReviewAsync("/mutate", TestObjects.Review(TestObjects.Load("Pod", "team-enforce", "nginx:1.25"), uid: "uid-mutate"));

        var record = Assert.Single(await RecordsAsync(server, 1));
        AssertRecord(record, "mutate", "rewritten", "team-enforce", "Pod", "web", "ClusterImagePolicy/block", "rewrite", "Enforce", "web", "container",
            "nginx:1.25", "docker.io/library/nginx:1.25-hardened", null,
            "container \"web\": image \"nginx:1.25\" rewritten to \"docker.io/library/nginx:1.25-hardened\"", "uid-mutate", false);
    }

    [Fact]
    public async Task Serve_CleanRequestThenViolation_OnlyTheViolationIsRecordedAndStdoutHoldsOnlyRecords()
    {
        await using var server = await WebhookServer.StartWithAsync(Policies, Scans);

        await server.ReviewAsync("/validate", TestObjects.Review(TestObjects.Load("Pod", "team-enforce", "nginx:1.25-hardened"), uid: "uid-clean"));
        await server.ReviewAsync("/validate", TestObjects.Review(TestObjects.Load("Pod", "elsewhere", "nginx:1.25"), uid: "uid-unmatched"));
        await server.ReviewAsync("/validate", TestObjects.Review(TestObjects.Load("Pod", "team-warn", "nginx:1.25"), uid: "uid-after"));

        // Records leave in order through one channel: once the last one is out, an earlier one would be too.
        var record = Assert.Single(await RecordsAsync(server, 1));
        Assert.Equal("uid-after", (string?)record["uid"]);
        Assert.Contains("serving https://", server.Stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TryWrite_OverTheRate_DropsAndCountsUntilTheNextSecond()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T10:00:00.100Z", System.Globalization.CultureInfo.InvariantCulture));
        using var metrics = new AdmissionMetrics(new AdmissionStateStore());
        long dropped = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "admissionguard_decision_records_dropped")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref dropped, value));
        listener.Start();
        var output = new StringWriter();
        var writer = new DecisionRecordWriter(output, 2, time, metrics);

        var accepted = Enumerable.Range(0, 5).Select(i => writer.TryWrite(Record($"u{i}"))).ToList();
        time.Advance(TimeSpan.FromSeconds(1));
        var afterASecond = writer.TryWrite(Record("u5"));

        Assert.Equal([true, true, false, false, false], accepted);
        Assert.True(afterASecond);
        Assert.Equal(3, Interlocked.Read(ref dropped));
        await writer.StartAsync(CancellationToken.None);
        await writer.StopAsync(CancellationToken.None);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["u0", "u1", "u5"], lines.Select(l => (string)JsonNode.Parse(l)!["uid"]!));
    }

    private static DecisionRecord Record(string uid) =>
        new("2026-12-01T10:00:00.000Z", "validate", "denied", "ns", "Pod", "p", "ClusterImagePolicy/x", "tags", "Enforce", "c", "container", "busybox", null, null, "r", uid, false);

    private static async Task<List<JsonObject>> RecordsAsync(WebhookServer server, int count)
    {
        List<JsonObject> records = [];
        await Eventually.True(() =>
        {
            var lines = server.Stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            records = [.. lines.Select(l => JsonNode.Parse(l)!.AsObject())];
            return records.Count >= count;
        }, $"{count} decision records on stdout");
        return records;
    }

    private static void AssertRecord(JsonObject record, string webhook, string decision, string ns, string kind, string name, string policy, string rule,
        string mode, string container, string list, string image, string? twin, string? grade, string reason, string uid, bool dryRun)
    {
        Assert.Equal(Fields, record.Select(p => p.Key));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", (string?)record["ts"]);
        Assert.Equal(webhook, (string?)record["webhook"]);
        Assert.Equal(decision, (string?)record["decision"]);
        Assert.Equal(ns, (string?)record["namespace"]);
        Assert.Equal(kind, (string?)record["kind"]);
        Assert.Equal(name, (string?)record["name"]);
        Assert.Equal(policy, (string?)record["policy"]);
        Assert.Equal(rule, (string?)record["rule"]);
        Assert.Equal(mode, (string?)record["mode"]);
        Assert.Equal(container, (string?)record["container"]);
        Assert.Equal(list, (string?)record["list"]);
        Assert.Equal(image, (string?)record["image"]);
        Assert.Equal(twin, (string?)record["twin"]);
        Assert.Equal(grade, (string?)record["grade"]);
        Assert.Equal(reason, (string?)record["reason"]);
        Assert.Equal(uid, (string?)record["uid"]);
        Assert.Equal(dryRun, (bool)record["dryRun"]!);
    }
}
