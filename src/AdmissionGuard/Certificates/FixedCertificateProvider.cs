using System.Security.Cryptography.X509Certificates;

namespace AdmissionGuard.Certificates;

/// <summary>Serves one in-memory certificate for the process lifetime (the self-signed case).</summary>
internal sealed class FixedCertificateProvider : ICertificateProvider
{
    public FixedCertificateProvider(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException("The serving certificate needs its private key.", nameof(certificate));
        }

        Current = certificate;
        CurrentContext = ServingCertificate.From(certificate).Context;
    }

    public X509Certificate2 Current { get; }

    public System.Net.Security.SslStreamCertificateContext CurrentContext { get; }
}
