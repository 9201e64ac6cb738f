using System.Collections.Concurrent;
using System.Net;
using AdmissionGuard.Tests.Certificates;
using AdmissionGuard.Tests.Webhooks;

namespace AdmissionGuard.Tests.Adversarial;

/// <summary>One real server per distinct policy set (policies.yaml plus optional scans.yaml), shared by the cases that use it.</summary>
public sealed class CorpusServers : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Lazy<Task<WebhookServer>>> _servers = new(StringComparer.Ordinal);

    public Task<WebhookServer> ForAsync(string policies, string? scans) =>
        _servers.GetOrAdd(policies + "\0" + scans, _ => new Lazy<Task<WebhookServer>>(() => StartAsync(policies, scans))).Value;

    private static async Task<WebhookServer> StartAsync(string policies, string? scans)
    {
        var server = await WebhookServer.StartWithAsync(
            new Dictionary<string, string> { ["policies.yaml"] = policies },
            scans is null ? null : new Dictionary<string, string> { ["scans.yaml"] = scans });
        await TlsTestClient.WaitUntilAsync(async () =>
        {
            using var ready = await server.Client.GetAsync("/readyz");
            return ready.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(30), "the corpus server is ready");
        return server;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var server in _servers.Values.Where(s => s.IsValueCreated))
        {
            await (await server.Value).DisposeAsync();
        }
    }
}
