using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AdmissionGuard.Tests.Webhooks;

/// <summary><c>--metrics-listen</c>: Prometheus scrapes plain HTTP on its own port, and only /metrics is served there.</summary>
public sealed class MetricsListenerTests
{
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task MetricsListen_ServesMetricsOverPlainHttpButNoAdmission()
    {
        var port = FreePort();
        await using var server = await WebhookServer.StartAsync("--metrics-listen", $"127.0.0.1:{port}");
        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        await server.ReviewAsync("/validate", TestObjects.Review(TestObjects.Load("Pod")));

        using var metrics = await plain.GetAsync("/metrics");
        using var content = new StringContent(TestObjects.Review(TestObjects.Load("Pod")).ToJsonString(), Encoding.UTF8, "application/json");
        using var validate = await plain.PostAsync("/validate", content);

        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("admissionguard_", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, validate.StatusCode);
        Assert.Contains("HTTPS only", await validate.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
