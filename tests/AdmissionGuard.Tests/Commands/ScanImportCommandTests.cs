using AdmissionGuard.Commands;
using Microsoft.Extensions.Time.Testing;
using YamlDotNet.RepresentationModel;

namespace AdmissionGuard.Tests.Commands;

public class ScanImportCommandTests
{
    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero));

    private static string Fixture(string relative)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AdmissionGuard.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        return Path.GetFullPath(Path.Combine(directory.FullName, "tests", "fixtures", "scanners", relative));
    }

    private static async Task<(int Code, string Out, string Err)> Run(string stdin, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await ScanImportCommand.RunAsync(args, new StringReader(stdin), stdout, stderr, Time);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static YamlMappingNode Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)Assert.Single(stream.Documents).RootNode;
    }

    private static string Scalar(YamlMappingNode node, params string[] path)
    {
        YamlNode current = node;
        foreach (var key in path)
        {
            current = ((YamlMappingNode)current)[key];
        }

        return ((YamlScalarNode)current).Value!;
    }

    [Fact]
    public async Task Run_TrivyReport_WritesImageScanYaml()
    {
        var (code, output, error) = await Run("", Fixture("trivy/trivy-action-alpine-3.10-critical.json"));
        Assert.True(code == 0, error);
        var doc = Parse(output);
        Assert.Equal("admissionguard.io/v1alpha1", Scalar(doc, "apiVersion"));
        Assert.Equal("ImageScan", Scalar(doc, "kind"));
        Assert.Equal("sha256-451eee8bedcb2f029756dc3e9d73bab0e7943c1a", Scalar(doc, "metadata", "name"));
        Assert.Equal("docker.io/library/alpine:3.10", Scalar(doc, "spec", "image"));
        Assert.Equal("sha256:451eee8bedcb2f029756dc3e9d73bab0e7943c1ac55cff3a4861c52a0fdd3e98", Scalar(doc, "spec", "digest"));
        Assert.Equal("1", Scalar(doc, "spec", "vulnerabilities", "critical"));
        Assert.Equal("1", Scalar(doc, "spec", "fixable", "critical"));
        Assert.Equal("true", Scalar(doc, "spec", "os", "eosl"));
        Assert.Equal("F", Scalar(doc, "spec", "grade"));
        Assert.Equal("2026-11-20T10:00:00Z", Scalar(doc, "spec", "scannedAt"));
        Assert.Contains("no scan time", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_YamlFromStdinWithImage_Works()
    {
        var yaml = File.ReadAllText(Fixture("trivy-operator/trivy-operator-envtest-coredns-vulnerabilityreport.yaml"));
        var digest = "sha256:" + new string('b', 64);
        var (code, output, error) = await Run(yaml, "-", "--format", "trivy-operator", "--image=k8s.gcr.io/coredns/coredns:v1.8.0@" + digest);
        Assert.True(code == 0, error);
        var doc = Parse(output);
        Assert.Equal(digest, Scalar(doc, "spec", "digest"));
        Assert.Equal("12", Scalar(doc, "spec", "vulnerabilities", "high"));
        Assert.Equal("9", Scalar(doc, "spec", "vulnerabilities", "unknown"));
        Assert.Equal("2022-12-08T15:50:37Z", Scalar(doc, "spec", "scannedAt"));
        Assert.Contains("disagrees", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NoDigestAnywhere_Exit2WithReason()
    {
        var (code, output, error) = await Run("", Fixture("trivy/trivy-golden-alpine-39.json"));
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains("no image digest", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MissingFile_Exit2()
    {
        var (code, _, error) = await Run("", "/nonexistent/report.json");
        Assert.Equal(2, code);
        Assert.Contains("cannot read", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnknownFormat_Exit2()
    {
        var (code, _, error) = await Run("{\"hello\": 1}", "-");
        Assert.Equal(2, code);
        Assert.Contains("not a report format", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_AmbiguousFormat_Exit2()
    {
        // Both a Grype document (matches + source) and a CycloneDX one (bomFormat).
        var (code, _, error) = await Run("{\"bomFormat\":\"CycloneDX\",\"matches\":[],\"source\":{}}", "-");
        Assert.Equal(2, code);
        Assert.Contains("could be grype or cyclonedx", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WrongExplicitFormat_Exit2()
    {
        var (code, _, error) = await Run("", Fixture("grype/defectdojo-busybox-1.32.1-epss.json"), "--format", "trivy");
        Assert.Equal(2, code);
        Assert.Contains("not a trivy report", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_InvalidJson_Exit2()
    {
        var (code, _, error) = await Run("{ not json", "-");
        Assert.Equal(2, code);
        Assert.Contains("invalid JSON", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_KubeconfigWithoutApply_Exit2()
    {
        var (code, output, error) = await Run("", Fixture("grype/defectdojo-busybox-1.32.1-epss.json"), "--kubeconfig", "/nonexistent/config");
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains("--kubeconfig only goes with --apply", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NoArguments_Exit2WithUsage()
    {
        var (code, _, error) = await Run("");
        Assert.Equal(2, code);
        Assert.Contains("usage:", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_InvalidImageArgument_Exit2()
    {
        var (code, _, error) = await Run("", Fixture("trivy/trivy-golden-alpine-39.json"), "--image", "Bad Image");
        Assert.Equal(2, code);
        Assert.Contains("not a valid image reference", error, StringComparison.Ordinal);
    }
}
