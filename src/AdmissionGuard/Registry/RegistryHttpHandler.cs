using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace AdmissionGuard.Registry;

/// <summary>Builds the transport for registry calls: extra trusted CAs, no automatic redirects, no cookies.</summary>
internal static class RegistryHttpHandler
{
    public static SocketsHttpHandler Create(RegistryOptions options)
    {
        var extraRoots = LoadCaBundles(options.CaBundleFiles);
        var handler = new SocketsHttpHandler
        {
            // Redirects are followed by the client itself so scheme, host and credential rules apply to each hop.
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = true,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            ConnectTimeout = options.RequestTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxResponseHeadersLength = 64, // KiB: headers are small; a registry sending more is misbehaving
        };
        if (extraRoots.Count > 0)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                    Validate(certificate as X509Certificate2, chain, errors, extraRoots),
            };
        }

        return handler;
    }

    internal static X509Certificate2Collection LoadCaBundles(IReadOnlyList<string> files)
    {
        var roots = new X509Certificate2Collection();
        foreach (var file in files)
        {
            var before = roots.Count;
            roots.ImportFromPemFile(file);
            if (roots.Count == before)
            {
                throw new InvalidOperationException($"CA bundle {file} holds no PEM certificate");
            }
        }

        return roots;
    }

    // The system store keeps working; the extra CAs are tried only when it does not vouch for the chain.
    // A name mismatch is never forgiven.
    private static bool Validate(X509Certificate2? certificate, X509Chain? presented, SslPolicyErrors errors, X509Certificate2Collection extraRoots)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null || errors != SslPolicyErrors.RemoteCertificateChainErrors)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(extraRoots);
        // Private CAs rarely publish revocation lists; the system-store path above still checks revocation.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(certificate);
    }
}
