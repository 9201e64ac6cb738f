using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace AdmissionGuard.Certificates;

/// <summary>
/// A serving certificate as one handshake needs it: the leaf with its key, and the context SslStream sends,
/// which carries the intermediate certificates after the leaf. A client that trusts only the root (the API
/// server with a <c>caBundle</c> of the root) can verify a leaf issued by an intermediate only if we send it.
/// </summary>
internal sealed class ServingCertificate
{
    private ServingCertificate(X509Certificate2 certificate, SslStreamCertificateContext context)
    {
        Certificate = certificate;
        Context = context;
    }

    public X509Certificate2 Certificate { get; }

    public SslStreamCertificateContext Context { get; }

    public int IntermediateCount { get; private init; }

    /// <summary>A leaf (with key) and the intermediates to send with it; built offline, never fetching issuers.</summary>
    public static ServingCertificate From(X509Certificate2 certificate, X509Certificate2Collection? intermediates = null) =>
        new(certificate, SslStreamCertificateContext.Create(certificate, intermediates, offline: true))
        {
            IntermediateCount = intermediates?.Count ?? 0,
        };

    /// <summary>
    /// A <c>tls.crt</c>/<c>tls.key</c> pair: the first CERTIFICATE block is the leaf (checked against the key), the
    /// blocks after it are its chain, as cert-manager and most CAs write them. A self-signed root among them is dropped:
    /// clients must already trust it, and sending it only costs bytes.
    /// </summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">Not a usable pair.</exception>
    /// <exception cref="ArgumentException">Not a usable pair.</exception>
    public static ServingCertificate FromPem(string certificatePem, string keyPem)
    {
        var leaf = CertificatePemFiles.LoadServingCertificate(certificatePem, keyPem);
        var all = new X509Certificate2Collection();
        all.ImportFromPem(certificatePem);
        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in all.Skip(1))
        {
            if (certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData))
            {
                certificate.Dispose();
                continue;
            }

            intermediates.Add(certificate);
        }

        all[0].Dispose();
        return From(leaf, intermediates);
    }
}
