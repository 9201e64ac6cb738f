using System.Security.Cryptography.X509Certificates;

namespace AdmissionGuard.Certificates;

/// <summary>Supplies the serving certificate for each TLS handshake.</summary>
internal interface ICertificateProvider
{
    /// <summary>The certificate (with private key) to serve now. Cheap to read on every handshake.</summary>
    X509Certificate2 Current { get; }

    /// <summary>What each handshake sends: <see cref="Current"/> followed by its intermediate certificates.</summary>
    System.Net.Security.SslStreamCertificateContext CurrentContext { get; }

    /// <summary>False while a provider still waits for its first certificate (self-managed mode's Secret): not ready yet.</summary>
    bool HasCertificate => true;
}
