using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace AdmissionGuard.Tests.Certificates;

/// <summary>Clients that trust only given CAs, the way the API server trusts only the webhook's caBundle.</summary>
internal static class TlsTestClient
{
    public static bool ChainsToOneOf(X509Certificate? certificate, SslPolicyErrors errors, IEnumerable<X509Certificate2> roots)
    {
        // Keep host name checking; only the trust anchor is replaced.
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots.ToArray());
        using X509Certificate2 leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }

    /// <summary>An HttpClient that opens a new connection (so a new TLS handshake) for every request.</summary>
    public static HttpClient Create(
        IEnumerable<X509Certificate2> trustedRoots,
        SslProtocols protocols = SslProtocols.None,
        Action<X509Certificate>? onServerCertificate = null)
    {
        X509Certificate2[] roots = [.. trustedRoots];
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.Zero,
            SslOptions =
            {
                EnabledSslProtocols = protocols,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is not null)
                    {
                        onServerCertificate?.Invoke(certificate);
                    }

                    return ChainsToOneOf(certificate, errors, roots);
                },
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The thumbprint of the certificate the server presents to a fresh handshake (no trust decision).</summary>
    public static async Task<string> GetServedThumbprintAsync(Uri uri)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        // Accepting anything is safe here: the probe only reads which certificate is presented and sends nothing.
#pragma warning disable CA5359
        await using var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, _, _, _) => true);
#pragma warning restore CA5359
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = uri.Host });
        using X509Certificate2 served = X509CertificateLoader.LoadCertificate(ssl.RemoteCertificate!.GetRawCertData());
        return served.Thumbprint;
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!await condition())
        {
            if (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting until {what}.");
            }

            await Task.Delay(50);
        }
    }
}
