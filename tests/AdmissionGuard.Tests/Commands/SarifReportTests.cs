using System.Text.Json;
using AdmissionGuard.Commands;
using static AdmissionGuard.Tests.Commands.InProcessCheck;

namespace AdmissionGuard.Tests.Commands;

/// <summary><c>check --output sarif</c>: the report GitHub code scanning and other SARIF viewers read.</summary>
public sealed class SarifReportTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ag-sarif-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static JsonElement Single(JsonDocument sarif) => Assert.Single(sarif.RootElement.GetProperty("runs").EnumerateArray());

    private static List<JsonElement> Results(JsonDocument sarif) => Single(sarif).GetProperty("results").EnumerateArray().ToList();

    private static string FileUri(string path) => "file://" + path;

    [Fact]
    public void Run_Examples_OneResultPerViolationWithRuleLevelAndFile()
    {
        var (code, output, error) = Run(null, "-f", WorkloadDir, "--policies", PolicyDir, "--scans", ScanDir, "--output", "sarif");

        Assert.True(code == 1, error);
        Assert.Equal("", error);
        using var sarif = JsonDocument.Parse(output);
        Assert.Equal("2.1.0", sarif.RootElement.GetProperty("version").GetString());
        Assert.Equal("https://json.schemastore.org/sarif-2.1.0.json", sarif.RootElement.GetProperty("$schema").GetString());
        Assert.Equal("admissionguard", Single(sarif).GetProperty("tool").GetProperty("driver").GetProperty("name").GetString());

        // By hand from the examples: the dev Pod breaks two rules of the Warn policy; in prod the CronJob's scan is
        // grade D. The shop Pod's busybox has no usable twin (dhi.io/busybox:latest would keep the disallowed tag
        // "latest"), so busybox itself is judged: not hardened, registry not allowed, tag "latest".
        // The other images are rewritten to dhi.io twins that pass.
        var expected = new[]
        {
            ("hardened", "warning", "dev-warned-pod.yaml", "Pod/dev/scratch/container/tools"),
            ("tags", "warning", "dev-warned-pod.yaml", "Pod/dev/scratch/container/tools"),
            ("scan", "error", "prod-bad-grade-cronjob.yaml", "CronJob/prod/report/container/report"),
            ("hardened", "error", "prod-bad-pod.yaml", "Pod/prod/shop/initContainer/setup"),
            ("registries", "error", "prod-bad-pod.yaml", "Pod/prod/shop/initContainer/setup"),
            ("tags", "error", "prod-bad-pod.yaml", "Pod/prod/shop/initContainer/setup"),
        };
        var actual = Results(sarif).Select(r =>
        {
            var location = r.GetProperty("locations")[0];
            return (
                r.GetProperty("ruleId").GetString(),
                r.GetProperty("level").GetString(),
                location.GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString(),
                location.GetProperty("logicalLocations")[0].GetProperty("fullyQualifiedName").GetString());
        }).ToList();
        Assert.Equal(expected.Select(e => ((string?)e.Item1, (string?)e.Item2, (string?)FileUri(Example(e.Item3)), (string?)e.Item4)), actual);

        var setup = Results(sarif)[5];
        Assert.Equal(
            "Pod/shop (namespace prod): initContainer \"setup\": image \"busybox\" has disallowed tag \"latest\" (ClusterImagePolicy/production)",
            setup.GetProperty("message").GetProperty("text").GetString());
        var tools = Results(sarif)[0];
        Assert.Contains("its hardened twin \"dhi.io/ubuntu:latest\" has disallowed tag \"latest\": pin a version, e.g. \"dhi.io/ubuntu:<version>\"", tools.GetProperty("message").GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_Examples_EveryReferencedRuleIsDescribedOnce()
    {
        var (_, output, _) = Run(null, "-f", WorkloadDir, "--policies", PolicyDir, "--scans", ScanDir, "-o", "sarif");

        using var sarif = JsonDocument.Parse(output);
        var rules = Single(sarif).GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().ToList();
        var ids = rules.Select(r => r.GetProperty("id").GetString()).ToList();
        // Only rules that were reported, each once.
        Assert.Equal(["hardened", "registries", "scan", "tags"], ids.Order(StringComparer.Ordinal));
        foreach (var rule in rules)
        {
            Assert.False(string.IsNullOrWhiteSpace(rule.GetProperty("shortDescription").GetProperty("text").GetString()));
        }

        foreach (var result in Results(sarif))
        {
            var ruleId = result.GetProperty("ruleId").GetString();
            Assert.Contains(ruleId, ids);
            Assert.Equal(ruleId, ids[result.GetProperty("ruleIndex").GetInt32()]);
        }
    }

    [Fact]
    public void Run_AllAllowed_NoResultsAndExit0()
    {
        var (code, output, error) = Run(null, "-f", Example("prod-good-deployment.yaml"), "--policies", PolicyDir, "--scans", ScanDir, "--output", "sarif");

        Assert.True(code == 0, error);
        using var sarif = JsonDocument.Parse(output);
        Assert.Empty(Results(sarif));
        Assert.Equal(0, Single(sarif).GetProperty("tool").GetProperty("driver").GetProperty("rules").GetArrayLength());
    }

    [Fact]
    public void Run_SameInputTwice_SameBytes()
    {
        var first = Run(null, "-f", WorkloadDir, "--policies", PolicyDir, "--scans", ScanDir, "--output", "sarif");
        var second = Run(null, "-f", WorkloadDir, "--policies", PolicyDir, "--scans", ScanDir, "--output", "sarif");

        Assert.Equal(first.Out, second.Out);
    }

    [Fact]
    public void Run_AuditPolicy_ResultIsANoteAndExit0()
    {
        var policies = Path.Combine(_temp, "policies");
        Directory.CreateDirectory(policies);
        File.WriteAllText(Path.Combine(policies, "audit.yaml"), """
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: audit-tags}
            spec:
              mode: Audit
              rules:
                tags:
                  disallowed: ["latest"]
            """);
        var pod = Path.Combine(_temp, "pod.yaml");
        File.WriteAllText(pod, "apiVersion: v1\nkind: Pod\nmetadata: {name: app, namespace: team}\nspec:\n  containers: [{name: web, image: nginx}]\n");

        var (code, output, error) = Run(null, "-f", pod, "--policies", policies, "--output", "sarif");

        Assert.True(code == 0, error);
        using var sarif = JsonDocument.Parse(output);
        var result = Assert.Single(Results(sarif));
        Assert.Equal("tags", result.GetProperty("ruleId").GetString());
        Assert.Equal("note", result.GetProperty("level").GetString());
        Assert.Equal("ClusterImagePolicy/audit-tags", result.GetProperty("properties").GetProperty("policy").GetString());
    }

    [Fact]
    public void Run_UnparseableImageFromStdin_IsAnErrorAtStdin()
    {
        const string pod = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"odd","namespace":"prod"},"spec":{"containers":[{"name":"web","image":"Not A Valid Ref"}]}}""";

        var (code, output, error) = Run(pod, "-f", "-", "--policies", PolicyDir, "--output", "sarif");

        Assert.True(code == 1, error);
        using var sarif = JsonDocument.Parse(output);
        var result = Assert.Single(Results(sarif));
        Assert.Equal("reference", result.GetProperty("ruleId").GetString());
        Assert.Equal("error", result.GetProperty("level").GetString());
        Assert.Equal("stdin", result.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString());
        Assert.StartsWith("Pod/odd (namespace prod): container \"web\": image \"Not A Valid Ref\" cannot be parsed: ", result.GetProperty("message").GetProperty("text").GetString(), StringComparison.Ordinal);
        var rule = Assert.Single(Single(sarif).GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray());
        Assert.Equal("reference", rule.GetProperty("id").GetString());
    }

    [Fact]
    public void Run_ImageWithControlCharacter_IsValidJsonAndKeepsTheImage()
    {
        var pod = Path.Combine(_temp, "pod.json");
        File.WriteAllText(pod, """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"odd","namespace":"prod"},"spec":{"containers":[{"name":"web","image":"nginx\u0001]]>&<"}]}}""");

        var (code, output, _) = Run(null, "-f", pod, "--policies", PolicyDir, "--output", "sarif");

        Assert.Equal(1, code);
        using var sarif = JsonDocument.Parse(output);
        Assert.Equal("nginx\u0001]]>&<", Assert.Single(Results(sarif)).GetProperty("properties").GetProperty("image").GetString());
    }

    [Theory]
    [InlineData("manifests/examples/workloads/prod-bad-pod.yaml", "manifests/examples/workloads/prod-bad-pod.yaml")]
    [InlineData("my manifests/pod#1.yaml", "my%20manifests/pod%231.yaml")]
    [InlineData("./k8s/pod.yaml", "./k8s/pod.yaml")]
    [InlineData("/srv/k8s/pod.yaml", "file:///srv/k8s/pod.yaml")]
    [InlineData("/srv/k 8s/50%#1.yaml", "file:///srv/k%208s/50%25%231.yaml")]
    [InlineData("c:/pod.yaml", "c%3A/pod.yaml")]
    [InlineData("<stdin>", "stdin")]
    public void ArtifactUri_Path_RelativeStaysRelativeAbsoluteBecomesFileUri(string source, string uri) =>
        Assert.Equal(uri, SarifReport.ArtifactUri(source));
}
