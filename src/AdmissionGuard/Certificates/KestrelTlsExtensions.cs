using System.Security.Authentication;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace AdmissionGuard.Certificates;

/// <summary>Kestrel listener setup for the admission webhook's HTTPS endpoint.</summary>
internal static class KestrelTlsExtensions
{
    /// <summary>The only protocols served: TLS 1.0/1.1 are broken and the API server never needs them.</summary>
    public const SslProtocols AllowedProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>
    /// Serves HTTPS (TLS 1.2+, HTTP/1.1 and HTTP/2) on this listener with whatever certificate the
    /// provider holds at each handshake, so a rotated certificate is used by the next new connection.
    /// </summary>
    public static ListenOptions UseAdmissionGuardTls(this ListenOptions listen, ICertificateProvider provider)
    {
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(provider);

        // The API server speaks HTTP/1.1 keep-alive; HTTP/2 costs nothing to allow and helps other clients.
        listen.Protocols = HttpProtocols.Http1AndHttp2;
        return listen.UseHttps(https => ConfigureHttps(https, provider));
    }

    /// <summary>Applies the TLS policy to Kestrel's HTTPS options; separate so it can be checked without a socket.</summary>
    public static void ConfigureHttps(HttpsConnectionAdapterOptions https, ICertificateProvider provider)
    {
        ArgumentNullException.ThrowIfNull(https);
        ArgumentNullException.ThrowIfNull(provider);

        https.SslProtocols = AllowedProtocols;
        // Webhook clients authenticate the server only; the API server does not send a client certificate by default.
        https.ClientCertificateMode = ClientCertificateMode.NoCertificate;
        // A volatile read per handshake: the provider swaps whole certificates, never mutates one. Kestrel needs a
        // selector, but a selected certificate goes out alone; the context sends the intermediates after it, so
        // OnAuthenticate (run just before the handshake) swaps the selector for the provider's current context.
        https.ServerCertificateSelector = (_, _) => provider.Current;
        https.OnAuthenticate = (_, ssl) =>
        {
            ssl.ServerCertificateSelectionCallback = null;
            ssl.ServerCertificate = null;
            ssl.ServerCertificateContext = provider.CurrentContext;
        };
    }
}
