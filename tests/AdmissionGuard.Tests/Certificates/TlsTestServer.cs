using System.Net;
using AdmissionGuard.Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AdmissionGuard.Tests.Certificates;

/// <summary>A real Kestrel on a loopback port using the production TLS setup and a trivial endpoint.</summary>
internal sealed class TlsTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TlsTestServer(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    public static async Task<TlsTestServer> StartAsync(ICertificateProvider provider)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseAdmissionGuardTls(provider)));
        WebApplication app = builder.Build();
        app.MapGet("/", (HttpContext context) => $"ok {context.Request.Protocol}");
        await app.StartAsync();
        return new TlsTestServer(app, new Uri(app.Urls.Single()));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
