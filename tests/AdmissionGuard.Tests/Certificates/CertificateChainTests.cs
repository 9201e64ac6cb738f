using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AdmissionGuard.Certificates;
using Microsoft.Extensions.Logging.Abstractions;

namespace AdmissionGuard.Tests.Certificates;

/// <summary>
/// A serving certificate issued by an intermediate CA (cert-manager with a CA hierarchy, or a Secret the user
/// manages) while the client trusts only the root, as the API server does with a root-only caBundle: the
/// handshake must carry the intermediate, or verification fails.
/// </summary>
public sealed class CertificateChainTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ag-chain-").FullName;
    private readonly ECDsa _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _root;
    private readonly X509Certificate2 _intermediate;
    private readonly X509Certificate2 _leaf;

    public CertificateChainTests()
    {
        var now = DateTimeOffset.UtcNow;
        _root = Ca("CN=test root", _rootKey, issuer: null, now);
        _intermediate = Ca("CN=test intermediate", _intermediateKey, (_root, _rootKey), now);

        var request = new CertificateRequest("CN=localhost", _leafKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_intermediate, true, false));
        using var signer = _intermediate.CopyWithPrivateKey(_intermediateKey);
        _leaf = request.Create(signer, now.AddMinutes(-5), now.AddDays(1), [1, 2, 3, 4]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // the root written too, as some tools do: it is not sent, the intermediate still is
    public async Task Handshake_LeafFromIntermediate_SendsTheIntermediateSoARootOnlyClientVerifies(bool withRoot)
    {
        using var reloader = Reloader(withRoot ? [_leaf, _intermediate, _root] : [_leaf, _intermediate]);
        await using var server = await TlsTestServer.StartAsync(reloader);

        var (sent, verified) = await HandshakeAsync(server.BaseUri);

        Assert.Equal([_leaf.Thumbprint, _intermediate.Thumbprint], sent);
        Assert.True(verified);
    }

    [Fact]
    public async Task Handshake_LeafOnlyFile_ARootOnlyClientCannotVerify()
    {
        // Guards the test above: without the intermediate the same client must fail, or it proves nothing.
        using var reloader = Reloader([_leaf]);
        await using var server = await TlsTestServer.StartAsync(reloader);

        var (sent, verified) = await HandshakeAsync(server.BaseUri);

        Assert.Equal([_leaf.Thumbprint], sent);
        Assert.False(verified);
    }

    [Fact]
    public void FromPem_ChainInTheWrongOrder_LeafMustComeFirst()
    {
        var pem = _intermediate.ExportCertificatePem() + "\n" + _leaf.ExportCertificatePem();

        // Refused (and a reload keeps the old certificate), rather than serving the intermediate as the leaf.
        var error = Assert.Throws<ArgumentException>(() => ServingCertificate.FromPem(pem, _leafKey.ExportPkcs8PrivateKeyPem()));
        Assert.Contains("does not match", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var disposable in new IDisposable[] { _leaf, _intermediate, _root, _leafKey, _intermediateKey, _rootKey })
        {
            disposable.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
    }

    private CertificateReloader Reloader(X509Certificate2[] chain)
    {
        var certificatePath = Path.Combine(_directory, "tls.crt");
        var keyPath = Path.Combine(_directory, "tls.key");
        File.WriteAllText(certificatePath, string.Join("\n", chain.Select(c => c.ExportCertificatePem())) + "\n");
        File.WriteAllText(keyPath, _leafKey.ExportPkcs8PrivateKeyPem());
        return new CertificateReloader(certificatePath, keyPath, NullLogger<CertificateReloader>.Instance, TimeProvider.System,
            new CertificateReloaderOptions { WatchFileSystem = false });
    }

    /// <summary>What the server sent, and whether a client trusting only the root could verify it with what was sent.</summary>
    private async Task<(List<string> Sent, bool Verified)> HandshakeAsync(Uri uri)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        var sent = new List<string>();
        var verified = false;
        await using var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, certificate, chain, _) =>
        {
            sent.Add(X509CertificateLoader.LoadCertificate(certificate!.GetRawCertData()).Thumbprint);
            sent.AddRange(chain!.ChainPolicy.ExtraStore.Select(c => c.Thumbprint));
            using var rootOnly = new X509Chain();
            rootOnly.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            rootOnly.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            rootOnly.ChainPolicy.DisableCertificateDownloads = true;
            rootOnly.ChainPolicy.CustomTrustStore.Add(_root);
            rootOnly.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
            using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            verified = rootOnly.Build(leaf);
            return true; // the handshake completes either way; the test asserts on what was seen
        });
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
        return (sent.Distinct().ToList(), verified);
    }

    private static X509Certificate2 Ca(string subject, ECDsa key, (X509Certificate2 Certificate, ECDsa Key)? issuer, DateTimeOffset now)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (issuer is not { } parent)
        {
            return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(parent.Certificate, true, false));
        // A self-signed root comes back with its key already; an issued certificate needs it attached to sign.
        using var withKey = parent.Certificate.HasPrivateKey ? null : parent.Certificate.CopyWithPrivateKey(parent.Key);
        return request.Create(withKey ?? parent.Certificate, now.AddMinutes(-5), now.AddDays(2), [9, 8, 7]);
    }
}
