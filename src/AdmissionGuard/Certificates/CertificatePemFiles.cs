using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace AdmissionGuard.Certificates;

/// <summary>Reads and writes the PEM files a Kubernetes TLS Secret holds (<c>tls.crt</c>, <c>tls.key</c>, <c>ca.crt</c>).</summary>
internal static class CertificatePemFiles
{
    public const string CaCertificateFileName = "ca.crt";
    public const string CertificateFileName = "tls.crt";
    public const string KeyFileName = "tls.key";

    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>
    /// Loads a certificate and its private key from PEM text and returns a certificate SslStream can serve.
    /// Throws <see cref="CryptographicException"/> or <see cref="ArgumentException"/> when the text is not a
    /// usable pair (truncated, garbage, or a key that belongs to another certificate).
    /// </summary>
    public static X509Certificate2 LoadServingCertificate(string certificatePem, string keyPem)
    {
        // CreateFromPem takes the first CERTIFICATE block and refuses a key whose public half differs.
        using X509Certificate2 ephemeral = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        if (!ephemeral.HasPrivateKey)
        {
            throw new CryptographicException("The certificate was loaded without its private key.");
        }

        // Kestrel refuses a certificate whose EKU excludes serverAuth at handshake time; refuse it here
        // instead, so a reload keeps the old certificate rather than failing every handshake.
        if (ephemeral.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } eku
            && !eku.EnhancedKeyUsages.Cast<Oid>().Any(oid => oid.Value == ServerAuthOid))
        {
            throw new CryptographicException("The certificate's extended key usage does not allow server authentication.");
        }

        return ReimportWithPersistedKey(ephemeral);
    }

    /// <summary>
    /// Certificates built in memory or from PEM carry an ephemeral key, which SChannel (Windows) cannot use
    /// for TLS: there a PKCS#12 round trip gives a key SslStream accepts. OpenSSL serves the ephemeral key as it is,
    /// so elsewhere a copy that outlives the caller's instance is enough; the round trip's key derivation was the
    /// largest cryptographic cost of a start (twice: the flags check and the serving load) and of every reload.
    /// Either way the result is a new instance the caller owns.
    /// </summary>
    public static X509Certificate2 ReimportWithPersistedKey(X509Certificate2 certificate)
    {
        if (!OperatingSystem.IsWindows())
        {
            return new X509Certificate2(certificate);
        }

        byte[] pfx = certificate.Export(X509ContentType.Pkcs12);
        try
        {
            return X509CertificateLoader.LoadPkcs12(pfx, password: null, X509KeyStorageFlags.Exportable);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pfx);
        }
    }

    /// <summary>Writes the certificate (no key) as PEM, atomically, and returns the path.</summary>
    public static string WriteCertificate(string path, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        WriteAtomically(path, certificate.ExportCertificatePem() + "\n", privateFile: false);
        return path;
    }

    /// <summary>Writes <c>tls.crt</c> and <c>tls.key</c> (PKCS#8 PEM, owner-only on Unix) into a directory.</summary>
    public static (string CertificatePath, string KeyPath) WriteServingPair(string directory, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        Directory.CreateDirectory(directory);
        string keyPem = ExportPrivateKeyPem(certificate);
        string certificatePath = Path.Combine(directory, CertificateFileName);
        string keyPath = Path.Combine(directory, KeyFileName);

        // Key first: a reader that sees the new certificate then finds its key already in place.
        WriteAtomically(keyPath, keyPem + "\n", privateFile: true);
        WriteCertificate(certificatePath, certificate);
        return (certificatePath, keyPath);
    }

    public static string ExportPrivateKeyPem(X509Certificate2 certificate)
    {
        using AsymmetricAlgorithm key = (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey()
            ?? (AsymmetricAlgorithm?)certificate.GetRSAPrivateKey()
            ?? throw new ArgumentException("The certificate has no exportable ECDSA or RSA private key.", nameof(certificate));
        return key.ExportPkcs8PrivateKeyPem();
    }

    // Write-then-rename so a watcher (ours or a user's) never reads a half-written file.
    private static void WriteAtomically(string path, string content, bool privateFile)
    {
        string fullPath = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (privateFile && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(Encoding.ASCII.GetBytes(content));
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
