using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AdmissionGuard.Certificates;
using Microsoft.Extensions.Time.Testing;

namespace AdmissionGuard.Tests.Certificates;

public sealed class SelfSignedCertificateAuthorityTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void IssueServingCertificate_ChainsToItsCaOnly()
    {
        using var ca = SelfSignedCertificateAuthority.Create();
        using var otherCa = SelfSignedCertificateAuthority.Create();
        using X509Certificate2 serving = ca.IssueServingCertificate();

        Assert.True(BuildChain(serving, ca.Certificate, out X509ChainStatusFlags status), $"chain status: {status}");
        Assert.False(BuildChain(serving, otherCa.Certificate, out _));
    }

    [Fact]
    public void IssueServingCertificate_HasLoopbackAndExtraSans_ServerAuthEku_AndP256Key()
    {
        using var ca = SelfSignedCertificateAuthority.Create();
        using X509Certificate2 serving = ca.IssueServingCertificate(["admission-guard.system.svc", "admission-guard.system.svc.cluster.local"]);

        X509SubjectAlternativeNameExtension san = serving.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(
            ["admission-guard.system.svc", "admission-guard.system.svc.cluster.local", "localhost"],
            san.EnumerateDnsNames().Order(StringComparer.Ordinal));
        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], san.EnumerateIPAddresses());
        Assert.True(serving.MatchesHostname("admission-guard.system.svc"));
        Assert.True(serving.MatchesHostname("127.0.0.1"));
        Assert.False(serving.MatchesHostname("example.com"));

        X509EnhancedKeyUsageExtension eku = serving.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
        Assert.Equal(["1.3.6.1.5.5.7.3.1"], eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
        Assert.False(serving.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);

        Assert.True(serving.HasPrivateKey);
        using ECDsa publicKey = serving.GetECDsaPublicKey()!;
        Assert.Equal("1.2.840.10045.3.1.7", publicKey.ExportParameters(false).Curve.Oid.Value); // nistP256
        using ECDsa privateKey = serving.GetECDsaPrivateKey()!;
        Assert.Equal(256, privateKey.KeySize);
    }

    [Fact]
    public void Create_IsP256CaWithCertSignUsage()
    {
        using var ca = SelfSignedCertificateAuthority.Create();

        Assert.Equal("CN=AdmissionGuard local CA", ca.Certificate.Subject);
        Assert.Equal(ca.Certificate.Subject, ca.Certificate.Issuer);
        Assert.False(ca.Certificate.HasPrivateKey); // what gets handed out and written must never carry the key
        var constraints = ca.Certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.True(constraints.CertificateAuthority);
        Assert.True(constraints.Critical);
        var usage = ca.Certificate.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.True(usage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign));
        using ECDsa key = ca.Certificate.GetECDsaPublicKey()!;
        Assert.Equal("1.2.840.10045.3.1.7", key.ExportParameters(false).Curve.Oid.Value);
    }

    [Fact]
    public void Validity_DefaultsToOneYearCaAndNinetyDayServing_AndIsConfigurable()
    {
        var time = new FakeTimeProvider(Now);
        using var ca = SelfSignedCertificateAuthority.Create(time);
        using X509Certificate2 serving = ca.IssueServingCertificate();
        using X509Certificate2 shortLived = ca.IssueServingCertificate(validity: TimeSpan.FromHours(1));
        using var longCa = SelfSignedCertificateAuthority.Create(time, validity: TimeSpan.FromDays(730));

        Assert.Equal(Now.AddDays(365).UtcDateTime, ca.Certificate.NotAfter.ToUniversalTime());
        Assert.Equal(Now.AddDays(90).UtcDateTime, serving.NotAfter.ToUniversalTime());
        Assert.Equal(Now.AddHours(1).UtcDateTime, shortLived.NotAfter.ToUniversalTime());
        Assert.Equal(Now.AddDays(730).UtcDateTime, longCa.Certificate.NotAfter.ToUniversalTime());
        Assert.True(serving.NotBefore.ToUniversalTime() <= Now.UtcDateTime);
    }

    [Fact]
    public void IssueServingCertificate_LongerThanCa_IsCappedAtCaExpiry()
    {
        var time = new FakeTimeProvider(Now);
        using var ca = SelfSignedCertificateAuthority.Create(time, validity: TimeSpan.FromDays(30));

        using X509Certificate2 serving = ca.IssueServingCertificate();

        Assert.Equal(ca.Certificate.NotAfter, serving.NotAfter);
    }

    [Fact]
    public void WrittenFiles_LoadBackAsTheSameCertificates()
    {
        string directory = Directory.CreateTempSubdirectory("ag-certs-").FullName;
        try
        {
            using var ca = SelfSignedCertificateAuthority.Create();
            using X509Certificate2 serving = ca.IssueServingCertificate();

            string caPath = ca.WriteCaCertificate(directory);
            (string certificatePath, string keyPath) = CertificatePemFiles.WriteServingPair(directory, serving);

            Assert.Equal(Path.Combine(directory, "ca.crt"), caPath);
            using X509Certificate2 caFromFile = X509CertificateLoader.LoadCertificateFromFile(caPath);
            Assert.Equal(ca.Certificate.Thumbprint, caFromFile.Thumbprint);
            Assert.DoesNotContain("PRIVATE KEY", File.ReadAllText(caPath), StringComparison.Ordinal);
            using X509Certificate2 servingFromFiles = CertificatePemFiles.LoadServingCertificate(File.ReadAllText(certificatePath), File.ReadAllText(keyPath));
            Assert.Equal(serving.Thumbprint, servingFromFiles.Thumbprint);
            Assert.True(servingFromFiles.HasPrivateKey);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static bool BuildChain(X509Certificate2 leaf, X509Certificate2 root, out X509ChainStatusFlags status)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        bool built = chain.Build(leaf);
        status = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
        return built;
    }
}
