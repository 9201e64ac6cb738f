using System.Text.Json;

namespace AdmissionGuard.Tests.Commands;

/// <summary>The real built <c>admissionguard.dll</c>, run with <c>dotnet</c> as a child process, on manifests/examples.</summary>
public sealed class CheckExecutableTests : IDisposable
{
    private static readonly string Policies = Path.Combine(RepoPaths.Examples, "policies");
    private static readonly string Scans = RepoPaths.FreshExampleScans;
    private static readonly string Workloads = Path.Combine(RepoPaths.Examples, "workloads");
    private readonly string _temp = Directory.CreateTempSubdirectory("ag-check-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static Task<AdmissionGuardProcess.Result> CheckAsync(string? stdin, params string[] args) =>
        AdmissionGuardProcess.RunAsync(stdin, ["check", .. args]);

    private static string Example(string name) => Path.Combine(Workloads, name);

    [Fact]
    public async Task Check_GoodDeploymentOnly_Exits0()
    {
        var run = await CheckAsync(null, "-f", Example("prod-good-deployment.yaml"), "--policies", Policies, "--scans", Scans);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains(run.Lines, l => l.StartsWith("Deployment/web (namespace prod, ", StringComparison.Ordinal) && l.EndsWith("): allowed", StringComparison.Ordinal));
        Assert.Contains("1 checked: 1 passed, 0 failed, 0 skipped", run.Lines);
    }

    [Fact]
    public async Task Check_AllExamples_Exits1WithDenialLinesOfTheApiShape()
    {
        var run = await CheckAsync(null, "-f", Workloads, "--policies", Policies, "--scans", Scans);

        Assert.True(run.ExitCode == 1, run.Stdout + run.Stderr);
        var lines = run.Lines;
        Assert.Contains(lines, l => l.StartsWith("Pod/shop (namespace prod, ", StringComparison.Ordinal) && l.EndsWith("): DENIED", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("CronJob/report (namespace prod, ", StringComparison.Ordinal) && l.EndsWith("): DENIED", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Pod/scratch (namespace dev, ", StringComparison.Ordinal) && l.EndsWith("): allowed", StringComparison.Ordinal));
        Assert.Contains("  images denied by ClusterImagePolicy/production:", lines);
        Assert.Contains("  - container \"report\": image \"registry.example.com/team-a/api:2.0-hardened\" has scan grade D (minimum B): 2 critical (0 fixable), 7 high (1 fixable)", lines);
        // The developer reads the image they wrote, though it is judged as the twin the webhook will put there.
        Assert.Contains("  - initContainer \"setup\": image \"busybox\" has disallowed tag \"latest\"", lines);
        // No twin for busybox: dhi.io/busybox:latest would break the same policy's tag rule; the denial says what to change.
        Assert.Contains("  - initContainer \"setup\": image \"busybox\" is not hardened; its hardened twin \"dhi.io/busybox:latest\" has disallowed tag \"latest\": pin a version, e.g. \"dhi.io/busybox:<version>\"", lines);
        Assert.DoesNotContain(lines, l => l.Contains("will be replaced by \"dhi.io/busybox:latest\"", StringComparison.Ordinal));
        Assert.Contains("  rewrite: \"nginx:1.25\" -> \"dhi.io/nginx:1.25\" (ClusterImagePolicy/production)", lines);
        Assert.Contains("  warning: container \"tools\": image \"ubuntu:latest\" is not hardened; its hardened twin \"dhi.io/ubuntu:latest\" has disallowed tag \"latest\": pin a version, e.g. \"dhi.io/ubuntu:<version>\" (ClusterImagePolicy/development)", lines);
        Assert.Contains("  warning: container \"frontend\": image \"nginx:1.25\" will be replaced by \"dhi.io/nginx:1.25\"", lines);
        Assert.Contains("5 checked: 3 passed, 2 failed, 0 skipped", lines);
    }

    [Fact]
    public async Task Check_PodWhoseTwinNeedsVerifying_IsJudgedAsTheTwinWithANotVerifiedOfflineWarning()
    {
        var pod = Path.Combine(_temp, "pod.yaml");
        await File.WriteAllTextAsync(pod, """
            apiVersion: v1
            kind: Pod
            metadata: {name: app, namespace: prod}
            spec:
              containers:
                - name: web
                  image: registry.example.com/team-a/api:2.0
            """);

        var run = await CheckAsync(null, "-f", pod, "--policies", Policies, "--scans", Scans);

        // hardened-tag-suffix leaves verifyExists at its default (true) and check asks no registry: the twin is assumed
        // to exist, but its own scan (grade D) fails the policy, so it is not offered; the denial names it.
        Assert.Equal(1, run.ExitCode);
        Assert.DoesNotContain("could not be verified", run.Stdout, StringComparison.Ordinal);
        var denial = run.Lines.SkipWhile(l => l != "  images denied by ClusterImagePolicy/production:").Skip(1).TakeWhile(l => l.StartsWith("  - ", StringComparison.Ordinal)).ToList();
        // The twin has a scan, and it is grade D: it would break the same policy's scan rule, so it is named, not used.
        Assert.Equal(["  - container \"web\": image \"registry.example.com/team-a/api:2.0\" is not hardened; its hardened twin \"registry.example.com/team-a/api:2.0-hardened\" has scan grade D (minimum B): 2 critical (0 fixable), 7 high (1 fixable): choose a version whose scan passes"], denial);
    }

    [Fact]
    public async Task Check_JsonOutput_ListsEveryImageWithItsFields()
    {
        var run = await CheckAsync(null, "-f", Workloads, "--policies", Policies, "--scans", Scans, "--output", "json");

        Assert.Equal(1, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.False(root.GetProperty("allowed").GetBoolean());
        var workloads = root.GetProperty("workloads").EnumerateArray().ToList();
        Assert.Equal(5, workloads.Count);
        var images = workloads.SelectMany(w => w.GetProperty("images").EnumerateArray()).ToList();
        Assert.Equal(6, images.Count);
        foreach (var image in images)
        {
            foreach (var field in new[] { "container", "list", "image", "normalized", "error", "hardened", "grade", "violations", "rewrite" })
            {
                Assert.True(image.TryGetProperty(field, out _), $"{field} missing in {image}");
            }

            Assert.Contains(image.GetProperty("list").GetString(), new[] { "container", "initContainer", "ephemeralContainer", "volume" });
            Assert.True(image.GetProperty("normalized").ValueKind == JsonValueKind.String ^ image.GetProperty("error").ValueKind == JsonValueKind.String, image.ToString());
        }

        var report = workloads.Single(w => w.GetProperty("name").GetString() == "report");
        Assert.False(report.GetProperty("allowed").GetBoolean());
        var reportImage = report.GetProperty("images").EnumerateArray().Single();
        Assert.Equal("report", reportImage.GetProperty("container").GetString());
        Assert.Equal("container", reportImage.GetProperty("list").GetString());
        Assert.Equal("registry.example.com/team-a/api:2.0-hardened", reportImage.GetProperty("normalized").GetString());
        Assert.True(reportImage.GetProperty("hardened").GetBoolean());
        Assert.Equal("D", reportImage.GetProperty("grade").GetString());
        var violation = reportImage.GetProperty("violations").EnumerateArray().Single();
        Assert.Equal("ClusterImagePolicy/production", violation.GetProperty("policy").GetString());
        Assert.Equal("scan", violation.GetProperty("rule").GetString());
        Assert.Equal(JsonValueKind.Null, reportImage.GetProperty("rewrite").ValueKind);

        var web = workloads.Single(w => w.GetProperty("name").GetString() == "shop").GetProperty("images").EnumerateArray()
            .Single(i => i.GetProperty("container").GetString() == "web");
        Assert.Equal("nginx:1.25", web.GetProperty("image").GetString());
        Assert.Equal("dhi.io/nginx:1.25", web.GetProperty("rewrite").GetProperty("to").GetString());
        Assert.Equal("nginx:1.25", web.GetProperty("rewrite").GetProperty("from").GetString());

        var tools = workloads.Single(w => w.GetProperty("name").GetString() == "scratch").GetProperty("images").EnumerateArray().Single();
        Assert.False(tools.GetProperty("hardened").GetBoolean());
        Assert.Equal("docker.io/library/ubuntu:latest", tools.GetProperty("normalized").GetString());
        Assert.Equal(2, tools.GetProperty("violations").GetArrayLength());
    }

    [Fact]
    public async Task Check_JsonOutputWithUnparseableImage_ReportsErrorAndExits1()
    {
        var pod = Path.Combine(_temp, "pod.json");
        await File.WriteAllTextAsync(pod, """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"odd","namespace":"prod"},"spec":{"containers":[{"name":"web","image":"Not A Valid Ref"}]}}""");

        var run = await CheckAsync(null, "-f", pod, "--policies", Policies, "-o", "json");

        Assert.Equal(1, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        var image = json.RootElement.GetProperty("workloads")[0].GetProperty("images")[0];
        Assert.Equal("Not A Valid Ref", image.GetProperty("image").GetString());
        Assert.Equal(JsonValueKind.Null, image.GetProperty("normalized").ValueKind);
        Assert.False(string.IsNullOrEmpty(image.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task Check_Stdin_ReadsTheManifest()
    {
        var good = await CheckAsync(await File.ReadAllTextAsync(Example("prod-good-deployment.yaml")), "-f", "-", "--policies", Policies, "--scans", Scans);
        var bad = await CheckAsync(await File.ReadAllTextAsync(Example("prod-bad-pod.yaml")), "-f", "-", "--policies", Policies, "--scans", Scans);

        Assert.Equal(0, good.ExitCode);
        Assert.Contains(good.Lines, l => l.StartsWith("Deployment/web (namespace prod, <stdin>): allowed", StringComparison.Ordinal));
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains(bad.Lines, l => l.StartsWith("Pod/shop (namespace prod, <stdin>", StringComparison.Ordinal) && l.EndsWith("DENIED", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_ListObject_EvaluatesEveryItem()
    {
        var list = Path.Combine(_temp, "list.yaml");
        await File.WriteAllTextAsync(list, """
            apiVersion: v1
            kind: List
            metadata: {resourceVersion: ""}
            items:
              - apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: prod}
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers: [{name: web, image: "dhi.io/nginx:1.25"}]
              - apiVersion: v1
                kind: Pod
                metadata: {name: miner, namespace: prod}
                spec:
                  containers: [{name: miner, image: "quay.io/evil/miner:1.0"}]
            """);

        var run = await CheckAsync(null, "-f", list, "--policies", Policies, "--scans", Scans);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(run.Lines, l => l.StartsWith("Deployment/web (namespace prod, ", StringComparison.Ordinal) && l.EndsWith("allowed", StringComparison.Ordinal));
        Assert.Contains(run.Lines, l => l.StartsWith("Pod/miner (namespace prod, ", StringComparison.Ordinal) && l.EndsWith("DENIED", StringComparison.Ordinal));
        Assert.Contains("2 checked: 1 passed, 1 failed, 0 skipped", run.Lines);
    }

    [Fact]
    public async Task Check_MissingFile_Exits2WithReason()
    {
        var run = await CheckAsync(null, "-f", Path.Combine(_temp, "nope.yaml"), "--policies", Policies);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("nope.yaml: no such file or directory", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task Check_InvalidPolicyDir_Exits2WithFieldPath()
    {
        var policies = Path.Combine(_temp, "policies");
        Directory.CreateDirectory(policies);
        await File.WriteAllTextAsync(Path.Combine(policies, "bad.yaml"), """
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: bad}
            spec:
              mode: Enforced
            """);

        var run = await CheckAsync(null, "-f", Workloads, "--policies", policies);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("spec.mode", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_MissingPolicyDir_Exits2()
    {
        var run = await CheckAsync(null, "-f", Workloads, "--policies", Path.Combine(_temp, "no-such-dir"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no-such-dir", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unclosed flow", "apiVersion: v1\nkind: Pod\nmetadata: {name: x\nspec: [unclosed\n")]
    [InlineData("bad indentation", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n    namespace: prod\n")]
    [InlineData("tab indentation", "apiVersion: v1\nkind: Pod\nspec:\n\tcontainers: []\n")]
    public async Task Check_MalformedYaml_Exits2WithReason(string what, string yaml)
    {
        var file = Path.Combine(_temp, "bad.yaml");
        await File.WriteAllTextAsync(file, yaml);

        var run = await CheckAsync(null, "-f", file, "--policies", Policies);

        Assert.True(run.ExitCode == 2, $"{what}: exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        Assert.Contains("bad.yaml", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_MalformedYamlOnStdin_Exits2()
    {
        var run = await CheckAsync("kind: Pod\nmetadata: {name: x\nspec: [\n", "-f", "-", "--policies", Policies);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("<stdin>", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_UnknownOutputFormat_Exits2()
    {
        var run = await CheckAsync(null, "-f", Workloads, "--policies", Policies, "--output", "yaml");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("admissionguard check: --output yaml is not supported (text, json, sarif or junit)", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task Check_SarifOutputForARelativePath_UriStaysRelative()
    {
        // The working directory is the repository root, as in a CI job that uploads the file to code scanning.
        var run = await CheckAsync(null, "-f", "manifests/examples/workloads/prod-bad-pod.yaml", "--policies", Policies, "--scans", Scans, "--output", "sarif");

        Assert.True(run.ExitCode == 1, run.Stdout + run.Stderr);
        Assert.Equal("", run.Stderr);
        using var sarif = JsonDocument.Parse(run.Stdout);
        // busybox has no usable twin, so it breaks three rules of production itself; each result points at the file.
        var results = sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["hardened", "registries", "tags"], results.Select(r => r.GetProperty("ruleId").GetString()));
        Assert.All(results, r => Assert.Equal("manifests/examples/workloads/prod-bad-pod.yaml", r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString()));
    }

    [Fact]
    public async Task Check_JUnitOutputFromStdin_IsOnlyXmlOnStdout()
    {
        var run = await CheckAsync(await File.ReadAllTextAsync(Example("prod-bad-pod.yaml")), "-f", "-", "--policies", Policies, "--scans", Scans, "-o", "junit");

        Assert.True(run.ExitCode == 1, run.Stdout + run.Stderr);
        Assert.Equal("", run.Stderr);
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>", run.Stdout, StringComparison.Ordinal);
        var junit = System.Xml.Linq.XDocument.Parse(run.Stdout);
        var testCase = junit.Root!.Element("testsuite")!.Elements("testcase").Single();
        Assert.Equal("prod/shop", (string?)testCase.Attribute("name"));
        Assert.Equal("denied", (string?)testCase.Element("failure")!.Attribute("type"));
    }
}
