using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AdmissionGuard.Certificates;

/// <summary>
/// An in-memory ECDSA P-256 certificate authority that issues serving certificates for <c>serve</c>
/// when no <c>--tls-cert/--tls-key</c> are given, and for tests.
/// </summary>
internal sealed class SelfSignedCertificateAuthority : IDisposable
{
    public const string DefaultCommonName = "AdmissionGuard local CA";
    public static readonly TimeSpan DefaultCaValidity = TimeSpan.FromDays(365);
    public static readonly TimeSpan DefaultServingValidity = TimeSpan.FromDays(90);

    // Clocks of clients (the API server, a laptop) drift; a certificate valid "from now" can be rejected.
    private static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromMinutes(5);
    private static readonly string[] LocalDnsNames = ["localhost"];
    private static readonly IPAddress[] LocalAddresses = [IPAddress.Loopback, IPAddress.IPv6Loopback];

    private readonly ECDsa _key;
    private readonly TimeProvider _time;

    private SelfSignedCertificateAuthority(X509Certificate2 certificate, ECDsa key, TimeProvider time)
    {
        Certificate = certificate;
        _key = key;
        _time = time;
    }

    /// <summary>The CA certificate, public part only: what clients add to their trust store.</summary>
    public X509Certificate2 Certificate { get; }

    public static SelfSignedCertificateAuthority Create(
        TimeProvider? time = null,
        TimeSpan? validity = null,
        string commonName = DefaultCommonName)
    {
        time ??= TimeProvider.System;
        DateTimeOffset now = time.GetUtcNow();
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        try
        {
            var request = new CertificateRequest(new X500DistinguishedName($"CN={commonName}"), key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(
                certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(
                X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
            var subjectKeyId = new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false);
            request.CertificateExtensions.Add(subjectKeyId);

            using X509Certificate2 withKey = request.CreateSelfSigned(
                now - ClockSkewAllowance, now + (validity ?? DefaultCaValidity));
            X509Certificate2 publicOnly = X509CertificateLoader.LoadCertificate(withKey.RawData);
            return new SelfSignedCertificateAuthority(publicOnly, key, time);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A CA kept elsewhere (in a cluster: a Secret), so whichever replica leads can keep issuing from it.
    /// Throws <see cref="CryptographicException"/> or <see cref="ArgumentException"/> when the key is not the
    /// certificate's, or is not ECDSA.
    /// </summary>
    public static SelfSignedCertificateAuthority FromPem(string certificatePem, string keyPem, TimeProvider? time = null)
    {
        using X509Certificate2 withKey = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        ECDsa key = withKey.GetECDsaPrivateKey() ?? throw new CryptographicException("The CA key is not an ECDSA key.");
        return new SelfSignedCertificateAuthority(X509CertificateLoader.LoadCertificate(withKey.RawData), key, time ?? TimeProvider.System);
    }

    /// <summary>The CA's private key as PKCS#8 PEM, for storing next to the certificate.</summary>
    public string ExportKeyPem() => _key.ExportPkcs8PrivateKeyPem();

    /// <summary>
    /// Issues a serving certificate for <c>localhost</c>, <c>127.0.0.1</c>, <c>::1</c> and any extra DNS names
    /// (in a cluster: <c>&lt;svc&gt;.&lt;ns&gt;.svc</c> and <c>&lt;svc&gt;.&lt;ns&gt;.svc.cluster.local</c>).
    /// The result carries its private key in a form Kestrel can serve on every platform.
    /// </summary>
    public X509Certificate2 IssueServingCertificate(IEnumerable<string>? extraDnsNames = null, TimeSpan? validity = null)
    {
        string[] dnsNames = [.. LocalDnsNames.Concat(extraDnsNames ?? []).Distinct(StringComparer.OrdinalIgnoreCase)];
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={dnsNames[^1]}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(
            Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));

        var san = new SubjectAlternativeNameBuilder();
        foreach (string dnsName in dnsNames)
        {
            san.AddDnsName(dnsName);
        }

        foreach (IPAddress address in LocalAddresses)
        {
            san.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(san.Build(critical: false));

        DateTimeOffset now = _time.GetUtcNow();
        DateTimeOffset notBefore = Max(now - ClockSkewAllowance, Certificate.NotBefore);
        // An issued certificate may not outlive its issuer; CertificateRequest.Create refuses that.
        DateTimeOffset notAfter = Min(now + (validity ?? DefaultServingValidity), Certificate.NotAfter);

        using X509Certificate2 publicOnly = request.Create(
            Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), notBefore, notAfter, NewSerialNumber());
        using X509Certificate2 withKey = publicOnly.CopyWithPrivateKey(key);
        return CertificatePemFiles.ReimportWithPersistedKey(withKey);
    }

    /// <summary>Writes <c>ca.crt</c> into the directory (created if needed) and returns its path.</summary>
    public string WriteCaCertificate(string directory)
    {
        Directory.CreateDirectory(directory);
        return CertificatePemFiles.WriteCertificate(Path.Combine(directory, CertificatePemFiles.CaCertificateFileName), Certificate);
    }

    public void Dispose()
    {
        _key.Dispose();
        Certificate.Dispose();
    }

    private static byte[] NewSerialNumber()
    {
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // DER integers are signed; keep the serial positive.
        serial[0] |= 0x01; // ...and without a leading zero byte, which strict parsers reject.
        return serial;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTime b) => a > b.ToUniversalTime() ? a : b.ToUniversalTime();

    private static DateTimeOffset Min(DateTimeOffset a, DateTime b) => a < b.ToUniversalTime() ? a : b.ToUniversalTime();
}
