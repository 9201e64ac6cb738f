using System.Security.Cryptography.X509Certificates;
using AdmissionGuard.Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace AdmissionGuard.Tests.Certificates;

public sealed class CertificateReloaderTests : IDisposable
{
    private static readonly CertificateReloaderOptions PollOnly = new() { WatchFileSystem = false, PollInterval = TimeSpan.FromSeconds(10) };

    private readonly string _directory = Directory.CreateTempSubdirectory("ag-reload-").FullName;
    private readonly SelfSignedCertificateAuthority _ca = SelfSignedCertificateAuthority.Create();
    private readonly ListLogger<CertificateReloader> _logger = new();
    private readonly FakeTimeProvider _time = new();

    private string CertificatePath => Path.Combine(_directory, "tls.crt");

    private string KeyPath => Path.Combine(_directory, "tls.key");

    [Fact]
    public void Poll_AfterFilesReplaced_PublishesNewCertificate()
    {
        using X509Certificate2 first = WritePair();
        using var reloader = new CertificateReloader(CertificatePath, KeyPath, _logger, _time, PollOnly);
        Assert.Equal(first.Thumbprint, reloader.Current.Thumbprint);
        Assert.True(reloader.Current.HasPrivateKey);

        using X509Certificate2 second = WritePair();
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(first.Thumbprint, reloader.Current.Thumbprint);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(second.Thumbprint, reloader.Current.Thumbprint);
        Assert.Equal(0, _logger.Count(LogLevel.Error));
    }

    [Fact]
    public void TryReload_GarbageKey_KeepsOldCertificateAndLogsError()
    {
        using X509Certificate2 first = WritePair();
        using var reloader = new CertificateReloader(CertificatePath, KeyPath, _logger, _time, PollOnly);

        File.WriteAllText(KeyPath, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");

        Assert.False(reloader.TryReload());
        Assert.Equal(first.Thumbprint, reloader.Current.Thumbprint);
        Assert.Equal(1, _logger.Count(LogLevel.Error));

        // The same bad content is not re-parsed or re-logged on every poll.
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, _logger.Count(LogLevel.Error));
    }

    [Fact]
    public void TryReload_NewCertificateWithOldKey_KeepsOldUntilKeyArrives()
    {
        using X509Certificate2 first = WritePair();
        using var reloader = new CertificateReloader(CertificatePath, KeyPath, _logger, _time, PollOnly);
        using X509Certificate2 second = _ca.IssueServingCertificate();

        // A writer that replaces the certificate first and the key a moment later.
        File.WriteAllText(CertificatePath, second.ExportCertificatePem());
        Assert.False(reloader.TryReload());
        Assert.Equal(first.Thumbprint, reloader.Current.Thumbprint);
        Assert.Equal(1, _logger.Count(LogLevel.Error));

        File.WriteAllText(KeyPath, CertificatePemFiles.ExportPrivateKeyPem(second));
        Assert.True(reloader.TryReload());
        Assert.Equal(second.Thumbprint, reloader.Current.Thumbprint);
    }

    [Fact]
    public void TryReload_CertificateWithoutServerAuthEku_KeepsOld()
    {
        using X509Certificate2 first = WritePair();
        using var reloader = new CertificateReloader(CertificatePath, KeyPath, _logger, _time, PollOnly);
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new CertificateRequest("CN=client", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new("1.3.6.1.5.5.7.3.2")], false));
        using X509Certificate2 clientOnly = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(KeyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(CertificatePath, clientOnly.ExportCertificatePem());

        Assert.False(reloader.TryReload());
        Assert.Equal(first.Thumbprint, reloader.Current.Thumbprint);
    }

    [Fact]
    public void Constructor_UnusableFiles_Throws()
    {
        File.WriteAllText(CertificatePath, "not a certificate");
        File.WriteAllText(KeyPath, "not a key");

        Assert.ThrowsAny<Exception>(() => new CertificateReloader(CertificatePath, KeyPath, _logger, _time, PollOnly));
    }

    [Fact]
    public async Task Watcher_KubernetesSecretSymlinkSwap_PublishesNewCertificate()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Secret volumes and their symlinks exist only on Linux nodes.
        }

        // The kubelet layout: tls.crt -> ..data/tls.crt, ..data -> ..<timestamp>/; an update swaps ..data.
        using X509Certificate2 first = WriteVersion("..2026_01_01_00_00_00.1");
        File.CreateSymbolicLink(Path.Combine(_directory, "..data"), "..2026_01_01_00_00_00.1");
        File.CreateSymbolicLink(CertificatePath, "..data/tls.crt");
        File.CreateSymbolicLink(KeyPath, "..data/tls.key");
        var options = new CertificateReloaderOptions { PollInterval = TimeSpan.FromHours(1), Debounce = TimeSpan.FromMilliseconds(100) };
        using var reloader = new CertificateReloader(CertificatePath, KeyPath, _logger, TimeProvider.System, options);
        Assert.Equal(first.Thumbprint, reloader.Current.Thumbprint);

        using X509Certificate2 second = WriteVersion("..2026_02_01_00_00_00.2");
        File.CreateSymbolicLink(Path.Combine(_directory, "..data_tmp"), "..2026_02_01_00_00_00.2");
        // rename(2) over the old link, as the kubelet does; File.Move would follow the link to a directory.
        using (var rename = System.Diagnostics.Process.Start("mv", ["-T", Path.Combine(_directory, "..data_tmp"), Path.Combine(_directory, "..data")]))
        {
            await rename.WaitForExitAsync();
            Assert.Equal(0, rename.ExitCode);
        }

        // tls.crt itself is never written: only the directory's ..data link changed. (No assertion that the old
        // certificate is still served here: the watcher may already have reloaded, which is the point.)
        await TlsTestClient.WaitUntilAsync(
            () => Task.FromResult(reloader.Current.Thumbprint == second.Thumbprint),
            TimeSpan.FromSeconds(20),
            "the swapped certificate is published");
        Assert.Equal(0, _logger.Count(LogLevel.Error));
    }

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private X509Certificate2 WritePair()
    {
        X509Certificate2 certificate = _ca.IssueServingCertificate();
        CertificatePemFiles.WriteServingPair(_directory, certificate);
        return certificate;
    }

    private X509Certificate2 WriteVersion(string versionDirectory)
    {
        X509Certificate2 certificate = _ca.IssueServingCertificate();
        CertificatePemFiles.WriteServingPair(Path.Combine(_directory, versionDirectory), certificate);
        return certificate;
    }
}
