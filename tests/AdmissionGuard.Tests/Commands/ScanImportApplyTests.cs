using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using AdmissionGuard.Commands;
using AdmissionGuard.Tests.Kubernetes;
using Microsoft.Extensions.Time.Testing;

namespace AdmissionGuard.Tests.Commands;

/// <summary><c>scan import --apply</c> against the in-test API server, through a real kubeconfig and HTTP.</summary>
public sealed class ScanImportApplyTests : IAsyncLifetime
{
    private const string Collection = "/apis/admissionguard.io/v1alpha1/imagescans";

    // grype/defectdojo-busybox-1.32.1-epss.json: repo digest busybox@sha256:ae39..., 15 distinct matches
    // (1 critical, 10 high, 2 medium, 2 low; only a medium has a fix), descriptor.timestamp 2025-06-19T11:43:35.52Z.
    private const string Busybox = "grype/defectdojo-busybox-1.32.1-epss.json";
    private const string Name = "sha256-ae39a6f5c07297d7ab64dbd4f82c77c874cc6a94";
    private const string Digest = "sha256:ae39a6f5c07297d7ab64dbd4f82c77c874cc6a94cea29fdec309d0992574b4f7";

    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero));

    private FakeKubeApiServer server = null!;
    private string kubeconfig = "";

    public async Task InitializeAsync()
    {
        server = await FakeKubeApiServer.StartAsync();
        kubeconfig = server.WriteKubeconfig();
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        File.Delete(kubeconfig);
    }

    [Fact]
    public async Task Apply_NewScan_CreatesImageScanAndPrintsCreated()
    {
        var (code, output, error) = await Apply(Busybox);

        Assert.True(code == 0, error);
        Assert.Equal($"imagescan.admissionguard.io/{Name} created{Environment.NewLine}", output);
        var stored = server.Get(Collection, Name);
        Assert.NotNull(stored);
        Assert.Equal("admissionguard.io/v1alpha1", (string?)stored["apiVersion"]);
        Assert.Equal("ImageScan", (string?)stored["kind"]);
        var spec = stored["spec"]!;
        Assert.Equal("docker.io/library/busybox:1.32.1", (string?)spec["image"]);
        Assert.Equal(Digest, (string?)spec["digest"]);
        Assert.Equal("grype", (string?)spec["scanner"]!["name"]);
        Assert.Equal("0.94.0", (string?)spec["scanner"]!["version"]);
        Assert.Equal("2025-06-19T11:43:35Z", (string?)spec["scannedAt"]);
        Assert.Equal((1, 10, 2, 2, 0), Counts(spec));
        Assert.Equal(0, (int)spec["fixable"]!["critical"]!);
        Assert.Equal(0, (int)spec["fixable"]!["high"]!);
        // No grade is written: the cluster's grade scale grades the counts.
        Assert.Null(spec["grade"]);
        var post = Assert.Single(server.RequestsTo("POST", Collection));
        Assert.Equal("?fieldManager=admissionguard", post.Query);
        Assert.Empty(server.RequestsTo("PATCH", Collection));
    }

    [Fact]
    public async Task Apply_SameReportTwice_SecondIsUnchangedAndWritesNothing()
    {
        Assert.Equal(0, (await Apply(Busybox)).Code);
        var version = ResourceVersion(server.Get(Collection, Name)!);

        var (code, output, error) = await Apply(Busybox);

        Assert.True(code == 0, error);
        Assert.Equal($"imagescan.admissionguard.io/{Name} unchanged{Environment.NewLine}", output);
        Assert.Equal(version, ResourceVersion(server.Get(Collection, Name)!));
        Assert.Single(server.RequestsTo("POST", Collection));
        Assert.Empty(server.RequestsTo("PATCH", Collection));
    }

    [Fact]
    public async Task Apply_ExistingWithOtherCounts_ReplacesSpecKeepsLabelsAndAnnotations()
    {
        var seeded = server.Apply(Collection, OldScan(labels: """{"team":"payments"}"""));
        var before = ResourceVersion(seeded);

        var (code, output, error) = await Apply(Busybox);

        Assert.True(code == 0, error);
        Assert.Equal($"imagescan.admissionguard.io/{Name} configured{Environment.NewLine}", output);
        var stored = server.Get(Collection, Name)!;
        Assert.Equal((1, 10, 2, 2, 0), Counts(stored["spec"]!));
        Assert.Null(stored["spec"]!["grade"]);
        Assert.Equal("2025-06-19T11:43:35Z", (string?)stored["spec"]!["scannedAt"]);
        Assert.True(long.Parse(ResourceVersion(stored)) > long.Parse(before), $"resourceVersion {ResourceVersion(stored)} did not move past {before}");
        Assert.Equal("payments", (string?)stored["metadata"]!["labels"]!["team"]);
        Assert.Equal("kept", (string?)stored["metadata"]!["annotations"]!["example.com/note"]);
        Assert.Equal(2, (long)stored["metadata"]!["generation"]!);

        // A merge patch of the spec only, guarded by the resourceVersion that was read: nothing else read goes back.
        var patch = Assert.Single(server.RequestsTo("PATCH", $"{Collection}/{Name}"));
        Assert.Equal("application/merge-patch+json", patch.ContentType);
        var sent = JsonNode.Parse(patch.Body)!.AsObject();
        Assert.Equal(before, (string?)sent["metadata"]!["resourceVersion"]);
        Assert.Equal(["metadata", "spec"], sent.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["resourceVersion"], sent["metadata"]!.AsObject().Select(p => p.Key));
        Assert.NotNull(stored["metadata"]!["managedFields"]);
        Assert.Empty(server.RequestsTo("POST", Collection));
    }

    [Fact]
    public async Task Apply_ObjectChangedBetweenReadAndWrite_ConflictIsRetriedWithFreshRead()
    {
        server.Apply(Collection, OldScan(labels: """{"team":"payments"}"""));
        var raced = 0;
        server.OnRequest = request =>
        {
            // Another writer adds a label after our GET and before our first PATCH lands.
            if (request.Method == "PATCH" && Interlocked.Exchange(ref raced, 1) == 0)
            {
                server.Apply(Collection, OldScan(labels: """{"team":"payments","owner":"platform"}"""));
            }
        };

        var (code, output, error) = await Apply(Busybox);

        Assert.True(code == 0, error);
        Assert.Equal($"imagescan.admissionguard.io/{Name} configured{Environment.NewLine}", output);
        Assert.Equal(2, server.RequestsTo("PATCH", $"{Collection}/{Name}").Count);
        Assert.Equal(2, server.RequestsTo("GET", $"{Collection}/{Name}").Count);
        var stored = server.Get(Collection, Name)!;
        Assert.Equal((1, 10, 2, 2, 0), Counts(stored["spec"]!));
        Assert.Equal("platform", (string?)stored["metadata"]!["labels"]!["owner"]);
    }

    [Fact]
    public async Task Apply_ConflictOnEveryWrite_GivesUpAfterFiveTriesExit2()
    {
        server.Apply(Collection, OldScan());
        server.FailNext("PATCH", $"{Collection}/{Name}", 409, count: 100,
            message: $"Operation cannot be fulfilled on imagescans.admissionguard.io \"{Name}\": the object has been modified; please apply your changes to the latest version and try again");

        var (code, output, error) = await Apply(Busybox);

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains("5 times in a row (409 Conflict)", error, StringComparison.Ordinal);
        Assert.Equal(5, server.RequestsTo("PATCH", $"{Collection}/{Name}").Count);
        Assert.Equal((0, 1, 0, 0, 0), Counts(server.Get(Collection, Name)!["spec"]!));
    }

    [Fact]
    public async Task Apply_ObjectDeletedBetweenReadAndWrite_CreatesItAgain()
    {
        server.Apply(Collection, OldScan());
        server.OnRequest = request =>
        {
            if (request.Method == "PATCH")
            {
                server.Delete(Collection, Name);
            }
        };

        var (code, output, error) = await Apply(Busybox);

        Assert.True(code == 0, error);
        Assert.Equal($"imagescan.admissionguard.io/{Name} created{Environment.NewLine}", output);
        Assert.Equal((1, 10, 2, 2, 0), Counts(server.Get(Collection, Name)!["spec"]!));
    }

    [Theory]
    [InlineData("get", false)]
    [InlineData("create", false)]
    [InlineData("patch", true)]
    public async Task Apply_VerbForbidden_Exit2NamesTheVerb(string verb, bool exists)
    {
        if (exists)
        {
            server.Apply(Collection, OldScan());
        }

        server.Forbid(verb, Collection);

        var (code, output, error) = await Apply(Busybox);

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains($"RBAC does not allow the verb \"{verb}\" on imagescans.admissionguard.io", error, StringComparison.Ordinal);
        Assert.Contains($"cannot {verb} resource \"imagescans\" in API group \"admissionguard.io\"", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_CrdNotInstalled_Exit2SaysSo()
    {
        server.Missing[Collection] = true;

        var (code, output, error) = await Apply(Busybox);

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains("the ImageScan CRD (imagescans.admissionguard.io) is not installed", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_ServerRejectsAsInvalid_Exit2WithServerMessage()
    {
        const string message = "ImageScan.admissionguard.io \"sha256-ae39a6f5c07297d7ab64dbd4f82c77c874cc6a94\" is invalid: spec.grade: Unsupported value: \"D\": supported values: \"A\", \"B\"";
        server.FailNext("POST", Collection, 422, message: message);

        var (code, output, error) = await Apply(Busybox);

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains($"rejected imagescan.admissionguard.io/{Name} as invalid: {message}", error, StringComparison.Ordinal);
        Assert.Null(server.Get(Collection, Name));
    }

    [Fact]
    public async Task Apply_CredentialsRejected_Exit2()
    {
        server.FailNext("GET", Collection, 401, message: "Unauthorized");

        var (code, _, error) = await Apply(Busybox);

        Assert.Equal(2, code);
        Assert.Contains("did not accept the credentials (401 Unauthorized)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_NothingListeningOnThePort_Exit2WithTheReason()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var closed = TestKubeconfig.Write($"http://127.0.0.1:{port}");
        try
        {
            var (code, output, error) = await Run("", Fixture(Busybox), "--apply", "--kubeconfig", closed);

            Assert.Equal(2, code);
            Assert.Empty(output);
            Assert.Contains($"cannot reach the API server at http://127.0.0.1:{port}", error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(closed);
        }
    }

    [Fact]
    public async Task Apply_ServerAcceptsButNeverAnswers_Exit2AfterTimeout()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(); // the kernel completes handshakes into the backlog; nobody ever reads or answers
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var silent = TestKubeconfig.Write($"http://127.0.0.1:{port}");
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var code = await ScanImportCommand.RunAsync(["--apply", "--kubeconfig", silent, Fixture(Busybox)],
                new StringReader(""), stdout, stderr, Time, applyTimeout: TimeSpan.FromSeconds(1));

            Assert.Equal(2, code);
            Assert.Empty(stdout.ToString());
            Assert.Contains($"the API server at http://127.0.0.1:{port} did not answer within 1s", stderr.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(silent);
        }
    }

    [Fact]
    public async Task Apply_UnreadableReport_FailsBeforeAnyApiCall()
    {
        var (code, _, error) = await Run("", "/nonexistent/report.json", "--apply", "--kubeconfig", kubeconfig);
        var (code2, _, error2) = await Run("{ not json", "-", "--apply", "--kubeconfig", kubeconfig);

        Assert.Equal(2, code);
        Assert.Contains("cannot read", error, StringComparison.Ordinal);
        Assert.Equal(2, code2);
        Assert.Contains("invalid JSON", error2, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Apply_KubeconfigFileMissing_Exit2WithoutApiCall()
    {
        var (code, output, error) = await Run("", Fixture(Busybox), "--apply", "--kubeconfig", "/nonexistent/kubeconfig");

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains("--kubeconfig /nonexistent/kubeconfig: no such file", error, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Apply_KubeconfigNotAKubeconfig_Exit2()
    {
        var broken = Path.Combine(Path.GetTempPath(), $"ag-kubeconfig-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(broken, "apiVersion: v1\nkind: Config\ncurrent-context: nowhere\n");
        try
        {
            var (code, _, error) = await Run("", Fixture(Busybox), "--apply", "--kubeconfig", broken);

            Assert.Equal(2, code);
            Assert.Contains($"cannot use the kubeconfig {broken}", error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(broken);
        }
    }

    private Task<(int Code, string Out, string Err)> Apply(string fixture) =>
        Run("", Fixture(fixture), "--apply", "--kubeconfig", kubeconfig);

    private static async Task<(int Code, string Out, string Err)> Run(string stdin, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await ScanImportCommand.RunAsync(args, new StringReader(stdin), stdout, stderr, Time);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The ImageScan as an earlier import left it: one high, grade B, and metadata someone else wrote.</summary>
    private static string OldScan(string labels = "{}") => $$$"""
        {"apiVersion":"admissionguard.io/v1alpha1","kind":"ImageScan",
         "metadata":{"name":"{{{Name}}}","labels":{{{labels}}},"annotations":{"example.com/note":"kept"}},
         "spec":{"image":"docker.io/library/busybox:1.32.1","digest":"{{{Digest}}}","scanner":{"name":"grype","version":"0.80.0"},
                 "scannedAt":"2025-01-02T03:04:05Z","vulnerabilities":{"critical":0,"high":1,"medium":0,"low":0,"unknown":0},
                 "fixable":{"critical":0,"high":0},"grade":"B"}}
        """;

    private static (int, int, int, int, int) Counts(JsonNode spec)
    {
        var v = spec["vulnerabilities"]!;
        return ((int)v["critical"]!, (int)v["high"]!, (int)v["medium"]!, (int)v["low"]!, (int)v["unknown"]!);
    }

    private static string ResourceVersion(JsonNode obj) => (string)obj["metadata"]!["resourceVersion"]!;

    private static string Fixture(string relative) =>
        Path.GetFullPath(Path.Combine(RepoPaths.Root, "tests", "fixtures", "scanners", relative));
}
