using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AdmissionGuard.Certificates;

namespace AdmissionGuard.Kubernetes;

/// <summary>
/// The PEM texts of the certificate Secret: <c>tls.crt</c>/<c>tls.key</c> (what every replica serves),
/// <c>ca.crt</c> (the bundle the webhooks trust: one CA, two during a CA rotation) and <c>ca.key</c> (the
/// key of the newest CA, so whichever replica leads next can keep issuing). Missing keys are null.
/// </summary>
internal sealed record SelfManagedCertificatesSecret(string? TlsCrt, string? TlsKey, string? CaCrt, string? CaKey)
{
    public const string CaKeyName = "ca.key";
    public const string SecretType = "kubernetes.io/tls";

    public static SelfManagedCertificatesSecret Decode(JsonElement secret)
    {
        if (secret.ValueKind != JsonValueKind.Object || !secret.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            return new SelfManagedCertificatesSecret(null, null, null, null);
        }

        return new SelfManagedCertificatesSecret(
            Read(data, CertificatePemFiles.CertificateFileName),
            Read(data, CertificatePemFiles.KeyFileName),
            Read(data, CertificatePemFiles.CaCertificateFileName),
            Read(data, CaKeyName));
    }

    /// <summary>The CA certificates in <c>ca.crt</c>, in the order written (older first); unreadable text gives none.</summary>
    public IReadOnlyList<X509Certificate2> Bundle()
    {
        if (CaCrt is null)
        {
            return [];
        }

        try
        {
            var collection = new X509Certificate2Collection();
            collection.ImportFromPem(CaCrt);
            return [.. collection];
        }
        catch (CryptographicException)
        {
            return [];
        }
    }

    /// <summary>The serving pair, or null when it does not load.</summary>
    public X509Certificate2? Serving()
    {
        if (TlsCrt is null || TlsKey is null)
        {
            return null;
        }

        try
        {
            return CertificatePemFiles.LoadServingCertificate(TlsCrt, TlsKey);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The CA that <c>ca.key</c> belongs to (it must be in the bundle), or null.</summary>
    public SelfSignedCertificateAuthority? Signer(TimeProvider time)
    {
        if (CaKey is null)
        {
            return null;
        }

        foreach (var ca in Bundle())
        {
            try
            {
                return SelfSignedCertificateAuthority.FromPem(ca.ExportCertificatePem(), CaKey, time);
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                // Not this one's key: try the next CA in the bundle.
            }
        }

        return null;
    }

    /// <summary>The <c>data</c> object of the Secret, base64 as the API wants it.</summary>
    public JsonObject ToData() => new()
    {
        [CertificatePemFiles.CertificateFileName] = Encode(TlsCrt),
        [CertificatePemFiles.KeyFileName] = Encode(TlsKey),
        [CertificatePemFiles.CaCertificateFileName] = Encode(CaCrt),
        [CaKeyName] = Encode(CaKey),
    };

    public static string PemBundle(IEnumerable<X509Certificate2> cas) => string.Concat(cas.Select(c => c.ExportCertificatePem() + "\n"));

    private static string Encode(string? pem) => Convert.ToBase64String(Encoding.ASCII.GetBytes(pem ?? ""));

    private static string? Read(JsonElement data, string key)
    {
        if (!data.TryGetProperty(key, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            var text = Encoding.ASCII.GetString(Convert.FromBase64String(value.GetString()!));
            return text.Length == 0 ? null : text;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
