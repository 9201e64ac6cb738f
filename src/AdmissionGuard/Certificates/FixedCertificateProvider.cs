using System.Security.Cryptography.X509Certificates;

namespace AdmissionGuard.Certificates;

/// <summary>Serves one in-memory certificate for the process lifetime (the self-signed case).</summary>
internal sealed class FixedCertificateProvider : ICertificateProvider
{
    private readonly ServingCertificate serving;

    public FixedCertificateProvider(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException("The serving certificate needs its private key.", nameof(certificate));
        }

        serving = ServingCertificate.From(certificate);
    }

    public X509Certificate2 Current => serving.Certificate;

    public System.Net.Security.SslStreamCertificateContext CurrentContext => serving.Context;
}
