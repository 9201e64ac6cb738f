using System.Reflection;

namespace AdmissionGuard.Tests.Commands;

/// <summary>The command line as API.md section 3 fixes it, through the real executable.</summary>
public sealed class CliTests
{
    [Theory]
    [InlineData(new[] { "--help" }, new[] { "serve", "check", "scan", "report", "--version" })]
    [InlineData(new[] { "serve", "--help" }, new[] { "--listen", "--tls-cert", "--tls-key", "--policies", "--scans", "--metrics-listen", "--ca-dir", "--registry-budget", "--insecure-registry", "--registry-ca", "--docker-config", "--grade-scale", "--decision-log-rate", "--audit-interval", "--kubeconfig", "--tls-secret" })]
    [InlineData(new[] { "check", "-h" }, new[] { "-f, --filename", "--policies", "--scans", "-o, --output", "-n, --namespace", "--registry", "--registry-timeout", "--insecure-registry", "--registry-ca", "--docker-config", "--grade-scale" })]
    [InlineData(new[] { "scan", "--help" }, new[] { "import" })]
    [InlineData(new[] { "scan", "import", "--help" }, new[] { "<FILE>", "--format", "--image", "--grade", "--grade-scale", "--apply", "--kubeconfig" })]
    [InlineData(new[] { "report", "-h" }, new[] { "-f, --filename", "--policies", "--scans", "--kubeconfig", "--output", "-o <FILE>" })]
    public async Task Help_EveryCommand_Exit0WithALinePerOption(string[] args, string[] options)
    {
        var run = await AdmissionGuardProcess.RunAsync(null, args);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Equal("", run.Stderr);
        Assert.StartsWith("Description:", run.Stdout, StringComparison.Ordinal);
        foreach (var option in options)
        {
            Assert.Contains(run.Lines, l => l.TrimStart().StartsWith(option, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Version_PrintsTheInformationalVersion()
    {
        var expected = Assembly.LoadFrom(RepoPaths.AdmissionGuardDll).GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

        var run = await AdmissionGuardProcess.RunAsync(null, "--version");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(expected, run.Stdout.Trim());
    }

    [Theory]
    [InlineData(new[] { "chekc" }, "admissionguard: unknown command \"chekc\"; did you mean \"check\"?")]
    [InlineData(new[] { "scan", "imprt", "x.json" }, "admissionguard scan: unknown command \"imprt\"; did you mean \"import\"?")]
    [InlineData(new[] { "check", "-f", "x.yaml", "--polices", "p" }, "admissionguard check: unknown option \"--polices\"; did you mean \"--policies\"?")]
    [InlineData(new[] { "serve", "--listn", "127.0.0.1:0" }, "admissionguard serve: unknown option \"--listn\"; did you mean \"--listen\"?")]
    [InlineData(new[] { "report", "--ouput", "json" }, "admissionguard report: unknown option \"--ouput\"; did you mean \"--output\"?")]
    public async Task Unknown_CommandOrOption_Exit2NamingTheClosest(string[] args, string expected)
    {
        var run = await AdmissionGuardProcess.RunAsync(null, args);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Equal(expected, run.ErrorLines[0]);
        Assert.StartsWith("see 'admissionguard", run.ErrorLines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_UnknownFormat_Exit2NamingTheFormats()
    {
        var run = await AdmissionGuardProcess.RunAsync(null, "report", "--output", "pdf");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(run.ErrorLines, l => l.Contains("--output pdf is not supported (html, json or markdown)", StringComparison.Ordinal));
    }
}
