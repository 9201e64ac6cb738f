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
    private readonly Task<SslStreamCertificateContext> context;

    private ServingCertificate(X509Certificate2 certificate, X509Certificate2Collection? intermediates)
    {
        Certificate = certificate;
        IntermediateCount = intermediates?.Count ?? 0;
        // Building the context builds a chain, and a process's first chain build loads the system trust store: OpenSSL
        // decodes every certificate in it, about 60 ms of CPU for Debian's store, more than the rest of a start's own
        // work. So it starts here, in the background, beside the policy loading and the host's start, and the first
        // handshake waits for it. It fails only for a certificate without its key, which the loaders refuse first.
        context = Task.Run(() => SslStreamCertificateContext.Create(certificate, intermediates, offline: true));
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>What SslStream sends; waits (only just after a start or a swap) for the context to be built.</summary>
    public SslStreamCertificateContext Context => context.GetAwaiter().GetResult();

    public int IntermediateCount { get; }

    /// <summary>A leaf (with key) and the intermediates to send with it; built offline, never fetching issuers.</summary>
    public static ServingCertificate From(X509Certificate2 certificate, X509Certificate2Collection? intermediates = null) =>
        new(certificate, intermediates);

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
