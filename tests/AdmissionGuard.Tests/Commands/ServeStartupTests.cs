using System.Net;
using System.Net.Sockets;

namespace AdmissionGuard.Tests.Commands;

/// <summary><c>serve</c> start-up failures through the real executable: one line naming the file, port or folder and the fix, exit 2.</summary>
public sealed class ServeStartupTests : IDisposable
{
    private static readonly string Policies = Path.Combine(RepoPaths.Examples, "policies");
    private readonly string _temp = Directory.CreateTempSubdirectory("ag-serve-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private Task<AdmissionGuardProcess.Result> ServeAsync(params string[] args) =>
        AdmissionGuardProcess.RunAsync(null, ["serve", "--policies", Policies, "--ca-dir", Path.Combine(_temp, "ca"), .. args]);

    private static string OneLine(AdmissionGuardProcess.Result run)
    {
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        return Assert.Single(run.ErrorLines);
    }

    [Fact]
    public async Task Serve_PortInUse_OneLineNamingThePortExit2()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var line = OneLine(await ServeAsync("--listen", $"127.0.0.1:{port}"));

        Assert.Equal($"admissionguard serve: --listen 127.0.0.1:{port}: the port is already in use; stop what listens there or choose another port with --listen", line);
    }

    [Fact]
    public async Task Serve_MetricsPortInUse_OneLineNamingMetricsListenExit2()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var line = OneLine(await ServeAsync("--listen", "127.0.0.1:0", "--metrics-listen", $"127.0.0.1:{port}"));

        Assert.StartsWith($"admissionguard serve: --metrics-listen 127.0.0.1:{port}: the port is already in use", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_MissingTlsCert_OneLineNamingTheFileExit2()
    {
        var missing = Path.Combine(_temp, "missing.crt");

        var line = OneLine(await ServeAsync("--listen", "127.0.0.1:0", "--tls-cert", missing, "--tls-key", missing));

        Assert.StartsWith($"admissionguard serve: --tls-cert {missing}: cannot be read (", line, StringComparison.Ordinal);
        Assert.EndsWith("; give the PEM certificate file", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("this is not a certificate\n", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "--tls-cert {0}: not a PEM certificate (no -----BEGIN CERTIFICATE----- block); give the PEM certificate file")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "not a key\n", "--tls-key {1}: not a PEM private key (no -----BEGIN ... PRIVATE KEY----- block); give the PEM private key file")]
    public async Task Serve_TlsFileNotPem_OneLineNamingTheFileExit2(string certificate, string privateKey, string expected)
    {
        var cert = Path.Combine(_temp, "tls.crt");
        var key = Path.Combine(_temp, "tls.key");
        await File.WriteAllTextAsync(cert, certificate);
        await File.WriteAllTextAsync(key, privateKey);

        var line = OneLine(await ServeAsync("--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key));

        Assert.Equal("admissionguard serve: " + string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, cert, key), line);
    }

    [Fact]
    public async Task Serve_UnwritableCaDir_OneLineNamingTheFolderExit2()
    {
        // A folder under a regular file cannot be created, whoever runs the test (root ignores permissions).
        var file = Path.Combine(_temp, "a-file");
        await File.WriteAllTextAsync(file, "");
        var caDir = Path.Combine(file, "ca");

        var run = await AdmissionGuardProcess.RunAsync(null, "serve", "--policies", Policies, "--listen", "127.0.0.1:0", "--ca-dir", caDir);
        var line = OneLine(run);

        Assert.StartsWith($"admissionguard serve: --ca-dir {caDir}: cannot write the self-signed CA there (", line, StringComparison.Ordinal);
        Assert.EndsWith("; give a writable folder with --ca-dir, or a certificate with --tls-cert and --tls-key", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_MissingPoliciesFolder_OneLineNamingTheFolderExit2()
    {
        var missing = Path.Combine(_temp, "no-policies");

        var line = OneLine(await AdmissionGuardProcess.RunAsync(null, "serve", "--listen", "127.0.0.1:0", "--policies", missing));

        Assert.Equal($"admissionguard serve: --policies {missing}: no such directory; give the folder that holds your policy YAML", line);
    }

    [Fact]
    public async Task Serve_InvalidPolicyFilesAtStartup_OneLinePerFileExit2()
    {
        var policies = Path.Combine(_temp, "policies");
        Directory.CreateDirectory(policies);
        var typo = Path.Combine(policies, "a-typo.yaml");
        var badMode = Path.Combine(policies, "b-mode.yaml");
        await File.WriteAllTextAsync(typo, "apiVersion: admissionguard.io/v1alpha1\nkind: ClusterImagePolicie\nmetadata: {name: typo}\nspec: {}\n");
        await File.WriteAllTextAsync(badMode, "apiVersion: admissionguard.io/v1alpha1\nkind: ClusterImagePolicy\nmetadata: {name: strict}\nspec: {mode: Enforced}\n");
        await File.WriteAllTextAsync(Path.Combine(policies, "c-good.yaml"), "apiVersion: admissionguard.io/v1alpha1\nkind: ClusterImagePolicy\nmetadata: {name: good}\nspec: {mode: Warn}\n");

        var run = await AdmissionGuardProcess.RunAsync(null, "serve", "--listen", "127.0.0.1:0", "--policies", policies, "--ca-dir", Path.Combine(_temp, "ca"));

        Assert.True(run.ExitCode == 2, run.Stdout + run.Stderr);
        Assert.Equal(
            [
                $"admissionguard serve: invalid policy file (fix it or move it out of the folder): {typo}: unknown kind \"ClusterImagePolicie\"; did you mean \"ClusterImagePolicy\"? (a policy folder holds HardenedImageSource, ClusterImagePolicy, ImagePolicy, ImageScan, Namespace)",
                $"admissionguard serve: invalid policy file (fix it or move it out of the folder): {badMode}: ClusterImagePolicy/strict: spec.mode: \"Enforced\" is not one of Enforce, Warn, Audit; did you mean \"Enforce\"?",
            ],
            run.ErrorLines);
        Assert.DoesNotContain("serving", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_InvalidImageScanAtStartup_OneLineNamingTheScanExit2()
    {
        // A scan that cannot be graded would otherwise grade nothing: the image would read as unscanned.
        var policies = Path.Combine(_temp, "policies");
        var scans = Path.Combine(_temp, "scans");
        Directory.CreateDirectory(policies);
        Directory.CreateDirectory(scans);
        await File.WriteAllTextAsync(Path.Combine(policies, "good.yaml"), "apiVersion: admissionguard.io/v1alpha1\nkind: ClusterImagePolicy\nmetadata: {name: good}\nspec: {mode: Warn}\n");
        await File.WriteAllTextAsync(Path.Combine(scans, "scans.yaml"), """
            apiVersion: admissionguard.io/v1alpha1
            kind: ImageScan
            metadata: {name: bad-digest}
            spec:
              image: registry.example.com/team/app:1.0
              digest: sha256:not-hex
              scanner: {name: trivy, version: "0.58.0"}
              scannedAt: "2026-12-01T00:00:00Z"
              vulnerabilities: {critical: 0, high: 0, medium: 0, low: 0, unknown: 0}
            """);

        var run = await AdmissionGuardProcess.RunAsync(null, "serve", "--listen", "127.0.0.1:0", "--policies", policies, "--scans", scans, "--ca-dir", Path.Combine(_temp, "ca"));

        var line = OneLine(run);
        Assert.Equal($"admissionguard serve: invalid policy file (fix it or move it out of the folder): {Path.Combine(scans, "scans.yaml")}: ImageScan/bad-digest: spec.digest: must be sha256:<64 hex> or sha512:<128 hex>, lowercase", line);
        Assert.DoesNotContain("serving", run.Stdout, StringComparison.Ordinal);
    }
}
