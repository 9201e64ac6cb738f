using System.Text.Json;

namespace AdmissionGuard.Tests.Commands;

/// <summary>What <c>check</c> used to pass silently, through the real executable.</summary>
public sealed class CheckSilentPassTests : IDisposable
{
    private static readonly string Policies = Path.Combine(RepoPaths.Examples, "policies");
    private readonly string _temp = Directory.CreateTempSubdirectory("ag-check-silent-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static Task<AdmissionGuardProcess.Result> CheckAsync(string? stdin, params string[] args) =>
        AdmissionGuardProcess.RunAsync(stdin, ["check", .. args]);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_temp, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private const string ProdPod = """
        apiVersion: v1
        kind: Pod
        metadata: {name: app, namespace: prod}
        spec:
          containers: [{name: web, image: "quay.io/evil/miner:1.0"}]
        """;

    [Fact]
    public async Task Check_PolicyFileWithUnknownKind_Exit2NamingFileAndKind()
    {
        var file = Write("policies/typo.yaml", "apiVersion: admissionguard.io/v1alpha1\nkind: ClusterImagePolicie\nmetadata: {name: production}\nspec: {mode: Enforce}\n");

        var run = await CheckAsync(ProdPod, "-f", "-", "--policies", Path.GetDirectoryName(file)!);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Contains($"admissionguard check: {file}: unknown kind \"ClusterImagePolicie\"; did you mean \"ClusterImagePolicy\"?", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_PoliciesFolderWithoutPolicy_Exit2()
    {
        var empty = Path.Combine(_temp, "empty");
        Directory.CreateDirectory(empty);

        var run = await CheckAsync(ProdPod, "-f", "-", "--policies", empty);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"admissionguard check: --policies {empty}: no ClusterImagePolicy or ImagePolicy found, so nothing would be checked", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public async Task Check_ObjectWithoutNamespace_IsJudgedInTheNamespaceGiven()
    {
        const string pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers: [{name: web, image: \"quay.io/evil/miner:1.0\"}]\n";

        var inDefault = await CheckAsync(pod, "-f", "-", "--policies", Policies);
        var inProd = await CheckAsync(pod, "-f", "-", "--policies", Policies, "--namespace", "prod");

        // The example production policy matches namespace prod only, so in default nothing judges the Pod.
        Assert.Equal(0, inDefault.ExitCode);
        Assert.Contains("Pod/app (namespace default, <stdin>): no policy matched", inDefault.Lines);
        Assert.Contains("1 checked: 0 passed, 0 failed, 1 skipped", inDefault.Lines);
        Assert.Equal(1, inProd.ExitCode);
        Assert.Contains("Pod/app (namespace prod, <stdin>): DENIED", inProd.Lines);
        Assert.Contains("1 checked: 0 passed, 1 failed, 0 skipped", inProd.Lines);
    }

    [Fact]
    public async Task Check_UnevaluatedKindAndUnmatchedWorkload_CountAsSkipped()
    {
        var input = Write("mixed.yaml", ProdPod + """

            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: prod}
            data: {a: b}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: elsewhere, namespace: nowhere}
            spec:
              containers: [{name: web, image: "quay.io/evil/miner:1.0"}]
            """);

        var run = await CheckAsync(null, "-f", input, "--policies", Policies, "-o", "json");

        Assert.Equal(1, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.Equal(0, json.RootElement.GetProperty("passed").GetInt32());
        Assert.Equal(1, json.RootElement.GetProperty("failed").GetInt32());
        Assert.Equal(2, json.RootElement.GetProperty("skipped").GetInt32());
        var elsewhere = json.RootElement.GetProperty("workloads").EnumerateArray().Single(w => w.GetProperty("name").GetString() == "elsewhere");
        Assert.False(elsewhere.GetProperty("policyMatched").GetBoolean());
    }

    [Fact]
    public async Task Check_JsonOutput_IsNotEscapedAndSaysWhatAnImageWasJudgedAs()
    {
        var run = await CheckAsync(File.ReadAllText(Path.Combine(RepoPaths.Examples, "workloads", "prod-bad-pod.yaml")), "-f", "-", "--policies", Policies, "--scans", RepoPaths.FreshExampleScans, "-o", "json");

        Assert.Equal(1, run.ExitCode);
        Assert.DoesNotContain("\\u0022", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u003C", run.Stdout, StringComparison.Ordinal);
        // Written as JSON escapes only where JSON needs them: quotes inside strings stay \", angle brackets stay <.
        Assert.Contains("container \\\"web\\\": image \\\"nginx:1.25\\\"", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("<RFC 3339 time>", run.Stdout, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(run.Stdout);
        var images = json.RootElement.GetProperty("workloads")[0].GetProperty("images").EnumerateArray().ToList();
        var web = images.Single(i => i.GetProperty("container").GetString() == "web");
        Assert.Equal("dhi.io/nginx:1.25", web.GetProperty("judgedAs").GetString());
    }
}
