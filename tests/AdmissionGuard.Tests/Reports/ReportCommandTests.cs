using System.Text;
using System.Text.Json;
using AdmissionGuard.Commands;
using AdmissionGuard.Tests.Kubernetes;
using Microsoft.Extensions.Time.Testing;

namespace AdmissionGuard.Tests.Reports;

public sealed class ReportCommandTests : IAsyncLifetime
{
    internal static readonly string Policies = Path.Combine(RepoPaths.Examples, "policies");
    internal static readonly string AdoptionPods = Path.Combine(RepoPaths.Examples, "adoption", "running-pods.yaml");
    internal static readonly string AdoptionScans = Path.Combine(RepoPaths.Examples, "adoption", "scans");
    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    private FakeKubeApiServer server = null!;
    private string kubeconfig = "";

    public async Task InitializeAsync()
    {
        server = await FakeKubeApiServer.StartAsync();
        kubeconfig = TestKubeconfig.Write(server.BaseUri.ToString());
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        File.Delete(kubeconfig);
    }

    internal static async Task<(int Code, string Stdout, string Stderr)> Run(ReportOptions options)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await ReportCommand.RunAsync(options, stdout, stderr);
        Assert.DoesNotContain("   at ", stdout.ToString() + stderr, StringComparison.Ordinal);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task RunAsync_AdoptionExample_JsonCountsMatchTheManifests()
    {
        var (code, stdout, stderr) = await Run(new ReportOptions([AdoptionPods], Policies, AdoptionScans, Output: "json") { Time = Time });

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        // Counted by hand from running-pods.yaml: 40 containers; hardened are shop's 9 and payments' 6 (nginx:1.25 and
        // python:3.12 there are rewritten by the production policy) and data's one dhi.io/redis; Python:3.12 does not parse.
        var total = root.GetProperty("total");
        Assert.Equal(40, total.GetProperty("containers").GetInt32());
        Assert.Equal(16, total.GetProperty("hardened").GetInt32());
        Assert.Equal(23, total.GetProperty("notHardened").GetInt32());
        Assert.Equal(1, total.GetProperty("unparseable").GetInt32());
        Assert.Equal(3, total.GetProperty("rewritten").GetInt32());
        Assert.Equal(40.0, total.GetProperty("hardenedPercent").GetDouble());
        Assert.Equal(38, root.GetProperty("workloads").GetInt32());
        Assert.Equal(8, root.GetProperty("namespaceCount").GetInt32());

        var search = root.GetProperty("namespaces").EnumerateArray().First();
        Assert.Equal("search", search.GetProperty("name").GetString());
        Assert.Equal((9, 0, 9), (search.GetProperty("containers").GetInt32(), search.GetProperty("hardened").GetInt32(), search.GetProperty("notHardened").GetInt32()));

        // node:20 runs in 6 containers (search 5, dev 1), grade E: scan 5 critical of which 3 fixable; dhi.io/node:20 is 0/0/2/8.
        var first = root.GetProperty("fixFirst")[0];
        Assert.Equal("docker.io/library/node:20", first.GetProperty("image").GetString());
        Assert.Equal(6, first.GetProperty("containers").GetInt32());
        Assert.Equal("E", first.GetProperty("grade").GetString());
        Assert.Equal("dhi.io/node:20", first.GetProperty("twin").GetString());
        var removes = first.GetProperty("removes");
        Assert.Equal((5, 31, 138, 292), (removes.GetProperty("critical").GetInt32(), removes.GetProperty("high").GetInt32(), removes.GetProperty("medium").GetInt32(), removes.GetProperty("low").GetInt32()));
        Assert.Empty(root.GetProperty("expiringExceptions").EnumerateArray());
        Assert.Equal("2027-03-31T00:00:00Z", root.GetProperty("nextException").GetProperty("expires").GetString());
        Assert.Equal("Python:3.12", root.GetProperty("unparseable")[0].GetProperty("image").GetString());
    }

    [Fact]
    public async Task RunAsync_ClockNearTheExceptionsEnd_ListsItWithTheContainersItCovers()
    {
        var late = new FakeTimeProvider(new DateTimeOffset(2027, 3, 20, 0, 0, 0, TimeSpan.Zero));

        var (code, stdout, stderr) = await Run(new ReportOptions([AdoptionPods], Policies, AdoptionScans, Output: "json") { Time = late });

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var exception = Assert.Single(json.RootElement.GetProperty("expiringExceptions").EnumerateArray());
        Assert.Equal("ClusterImagePolicy/production", exception.GetProperty("policy").GetString());
        Assert.Equal(11, exception.GetProperty("daysLeft").GetInt32());
        Assert.Equal("SEC-123 migration", exception.GetProperty("reason").GetString());
        // The two billing Pods in legacy run docker.io/bitnami/legacy:4.1.
        Assert.Equal(2, exception.GetProperty("containers").GetInt32());
    }

    [Theory]
    [InlineData("markdown", "| search | 9 | 0 | 9 | 0 | 0.0% |")]
    [InlineData("html", "<tr data-namespace=\"search\">")]
    public async Task RunAsync_OtherFormats_CarryTheSameFigures(string output, string expected)
    {
        var (code, stdout, stderr) = await Run(new ReportOptions([AdoptionPods], Policies, AdoptionScans, Output: output) { Time = Time });

        Assert.True(code == 0, stderr);
        Assert.Contains(expected, stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--output", "pdf", "--output pdf is not supported (html, json or markdown)")]
    [InlineData("--policies", "x", "--policies and --scans go with -f")]
    public async Task RunAsync_BadOption_Exits2WithOneClearLine(string option, string value, string message)
    {
        var options = option == "--output" ? new ReportOptions([AdoptionPods], Policies, Output: value) : new ReportOptions([], Policies: value);

        var (code, stdout, stderr) = await Run(options);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("admissionguard report: " + message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_MissingManifestAndNoPolicies_Exits2()
    {
        Assert.Equal(2, (await Run(new ReportOptions([AdoptionPods]))).Code);
        var (code, _, stderr) = await Run(new ReportOptions(["/nonexistent/pods.yaml"], Policies));
        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/pods.yaml: no such file or directory", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_OutputFile_WritesItAndNothingToStdout()
    {
        var file = Path.Combine(Path.GetTempPath(), $"ag-report-{Guid.NewGuid():N}.html");
        try
        {
            var (code, stdout, stderr) = await Run(new ReportOptions([AdoptionPods], Policies, AdoptionScans, OutputFile: file) { Time = Time });

            Assert.True(code == 0, stderr);
            Assert.Equal("", stdout);
            Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(file), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task RunAsync_FiveThousandNamespaces_HtmlShowsTopRowsAndHowManyMore()
    {
        var yaml = new StringBuilder();
        for (var i = 0; i < 5000; i++)
        {
            yaml.Append(Invariant($"---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: team-{i:0000}}}\nspec:\n  containers: [{{name: c, image: \"{(i % 2 == 0 ? "nginx:1.25" : "dhi.io/nginx:1.25")}\"}}]\n"));
        }

        var html = await Run(new ReportOptions(["-"], Policies, AdoptionScans) { Time = Time, Stdin = new StringReader(yaml.ToString()) });
        var json = await Run(new ReportOptions(["-"], Policies, AdoptionScans, Output: "json") { Time = Time, Stdin = new StringReader(yaml.ToString()) });

        Assert.True(html.Code == 0, html.Stderr);
        Assert.Equal(30, html.Stdout.Split("<tr data-namespace=").Length - 1);
        Assert.Contains("and <span data-field=\"moreNamespaces\">4,970</span> more namespaces", html.Stdout, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json.Stdout);
        Assert.Equal(5000, document.RootElement.GetProperty("namespaces").GetArrayLength());
        Assert.Equal(2500, document.RootElement.GetProperty("total").GetProperty("hardened").GetInt32());
    }

    [Fact]
    public async Task RunAsync_ClusterWithoutPods_WritesAnEmptyReport()
    {
        var (code, stdout, stderr) = await Run(new ReportOptions([], Kubeconfig: kubeconfig) { Time = Time });

        Assert.True(code == 0, stderr);
        Assert.Contains("No workloads with containers were found.", stdout, StringComparison.Ordinal);
        Assert.Contains("<span data-field=\"containers\">0</span> containers", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ClusterWithManyPods_ListsThemInPagesAndJudgesWithTheClustersPolicies()
    {
        foreach (var file in Directory.GetFiles(Policies))
        {
            ApplyYaml(file);
        }

        for (var i = 0; i < 1100; i++)
        {
            var image = i % 4 == 0 ? "dhi.io/nginx:1.25" : "nginx:1.25";
            server.Apply("/api/v1/pods", $$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p{{{i}}}","namespace":"prod"},"spec":{"containers":[{"name":"c","image":"{{{image}}}"}]},"status":{"phase":"Running"}}""");
        }

        server.Apply("/api/v1/pods", """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"done","namespace":"prod"},"spec":{"containers":[{"name":"c","image":"nginx:1.25"}]},"status":{"phase":"Succeeded"}}""");

        var (code, stdout, stderr) = await Run(new ReportOptions([], Kubeconfig: kubeconfig, Output: "json") { Time = Time });

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var total = json.RootElement.GetProperty("total");
        // A running Pod runs what it runs: nginx:1.25 is not hardened, whatever a rewrite would do to a new Pod.
        Assert.Equal((1100, 275, 825), (total.GetProperty("containers").GetInt32(), total.GetProperty("hardened").GetInt32(), total.GetProperty("notHardened").GetInt32()));
        Assert.Equal("cluster", json.RootElement.GetProperty("source").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("policies").GetInt32());
        var pages = server.RequestsTo("GET", "/api/v1/pods");
        Assert.Equal(3, pages.Count);
        Assert.All(pages, p => Assert.Contains("limit=500", p.Query, StringComparison.Ordinal));
        Assert.Contains("continue=", pages[1].Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ClusterForbidsListingPods_Exits2NamingTheVerb()
    {
        server.Forbid("list", "/api/v1/pods");

        var (code, stdout, stderr) = await Run(new ReportOptions([], Kubeconfig: kubeconfig) { Time = Time });

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("admissionguard report: not allowed: 403", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    private void ApplyYaml(string file)
    {
        var set = new Serialization.ManifestSet();
        foreach (var document in Serialization.YamlDocuments.Read(File.ReadAllText(file)))
        {
            using (document)
            {
                var kind = document.RootElement.GetProperty("kind").GetString();
                var collection = kind switch
                {
                    "HardenedImageSource" => "/apis/admissionguard.io/v1alpha1/hardenedimagesources",
                    "ClusterImagePolicy" => "/apis/admissionguard.io/v1alpha1/clusterimagepolicies",
                    _ => "/api/v1/namespaces",
                };
                server.Apply(collection, document.RootElement.GetRawText());
            }
        }
    }

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
