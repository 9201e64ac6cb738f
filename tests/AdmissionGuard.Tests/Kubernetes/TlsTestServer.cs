using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using AdmissionGuard.Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AdmissionGuard.Tests.Kubernetes;

/// <summary>
/// A real Kestrel listener serving through an <see cref="ICertificateProvider"/>, and a client that dials it by
/// the Service's DNS name and trusts only the CAs a callback names (what the API server does with caBundle).
/// Every request opens a new connection, so every request is a handshake with the certificate of that moment.
/// </summary>
internal sealed class TlsTestServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly HttpClient client;

    private TlsTestServer(WebApplication app, HttpClient client)
    {
        this.app = app;
        this.client = client;
    }

    /// <summary>Thumbprints of every certificate the client was served.</summary>
    public ConcurrentDictionary<string, bool> Served { get; } = new(StringComparer.Ordinal);

    public static async Task<TlsTestServer> StartAsync(ICertificateProvider provider, Func<IReadOnlyList<X509Certificate2>> trusted, TimeProvider time)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseAdmissionGuardTls(provider)));
        var app = builder.Build();
        app.Run(c => c.Response.WriteAsync("ok"));
        await app.StartAsync();
        var port = new Uri(app.Urls.Single()).Port;
        TlsTestServer? server = null;
#pragma warning disable CA2000 // the handler is owned by the HttpClient
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                    {
                        return false;
                    }

                    server!.Served.TryAdd(certificate.GetCertHashString(), true);
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.AddRange(trusted().ToArray());
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    chain.ChainPolicy.DisableCertificateDownloads = true;
                    // The certificates live on the test's clock, not the machine's.
                    chain.ChainPolicy.VerificationTime = time.GetUtcNow().UtcDateTime;
                    chain.ChainPolicy.VerificationTimeIgnored = false;
                    using var served = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                    return chain.Build(served);
                },
            },
        };
#pragma warning restore CA2000
        server = new TlsTestServer(app, new HttpClient(handler) { BaseAddress = new Uri($"https://admission-guard.ag.svc:{port}/") });
        return server;
    }

    /// <summary>One request on a fresh connection; true when the handshake verified and the answer came back.</summary>
    public async Task<bool> TryRequestAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.ConnectionClose = true;
        try
        {
            using var response = await client.SendAsync(request);
            return response.IsSuccessStatusCode && await response.Content.ReadAsStringAsync() == "ok";
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
