using System.Net;
using System.Text.Json.Nodes;
using AdmissionGuard.Hosting;
using AdmissionGuard.Kubernetes;
using AdmissionGuard.Tests.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AdmissionGuard.Tests.Kubernetes;

public sealed class SupervisionTests
{
    [Fact]
    public async Task Serve_LeaderLoopFailsRepeatedly_RestartedWhileValidateKeepsAnswering()
    {
        await using var api = await FakeKubeApiServer.StartAsync();
        var rbac = ChartRbac.Render();
        api.Rbac = rbac;
        var lease = rbac.Argument("--leader-election-lease");
        api.Apply(ResourcePath.ClusterImagePolicies.Collection, TestObjects.ClusterPolicy("no-latest"));
        var kubeconfig = api.WriteKubeconfig();
        await using var server = await WebhookServer.StartInClusterModeAsync("--kubeconfig", kubeconfig, "--namespace", rbac.Argument("--namespace"), "--leader-election-lease", lease);
        try
        {
            await Eventually.True(() => Ready(server), "ready");
            await Eventually.True(() => api.RequestsTo("POST", "/leases").Count == 1, "the Lease is created by the leader");

            // Whatever sits in front of the API server answers the Lease with an HTML page: the loop fails each pass.
            api.AnswerNext("GET", $"/leases/{lease}", 200, "<html><body>502 Bad Gateway</body></html>", count: 100_000);
            await Eventually.True(() => Restarts(server) >= 2, "the leader loop is restarted twice", seconds: 60);

            // Admission judges with the snapshot it has, over real HTTPS, throughout.
            for (var i = 0; i < 5; i++)
            {
                var denied = await server.ReviewAsync("/validate", Pod("nginx:latest"));
                Assert.False((bool)denied["allowed"]!);
                Assert.Contains("latest", (string?)denied["status"]!["message"], StringComparison.Ordinal);
                var allowed = await server.ReviewAsync("/validate", Pod("nginx:1.25"));
                Assert.True((bool)allowed["allowed"]!);
            }

            // Once the API server answers again, the restarted loop renews the Lease.
            api.ClearFailures();
            var renewals = api.RequestsTo("PATCH", $"/leases/{lease}").Count;
            await Eventually.True(() => api.RequestsTo("PATCH", $"/leases/{lease}").Count > renewals, "renewing again", seconds: 60);
            Assert.False(server.Completion.IsCompleted, "serve must keep running");
            Assert.Empty(api.Denials);
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    [Fact]
    public async Task Supervised_Unrecoverable_StopsHostOnceWithOneLineAndNonZeroExit()
    {
        var logs = new CapturingLoggerProvider();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton<ServiceHealth>();
        builder.Services.AddHostedService(sp => new Failing(
            new UnrecoverableException("kubeconfig /etc/kube/config: no such file"), sp.GetRequiredService<ServiceHealth>(),
            sp.GetRequiredService<IHostApplicationLifetime>(), sp.GetRequiredService<ILogger<Failing>>()));
        using var host = builder.Build();

        await host.StartAsync();
        await host.WaitForShutdownAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, ServiceHealth.ExitCodeOf(host.Services));
        var line = Assert.Single(logs.Lines, l => l.Contains("fail", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("Critical: test loop failed and cannot recover, stopping: UnrecoverableException: kubeconfig /etc/kube/config: no such file", line);
        Assert.Equal(0, host.Services.GetRequiredService<ServiceHealth>().RestartsOf("test loop"));
    }

    [Fact]
    public async Task Supervised_TransientFailures_RestartedWithBackoffUntilItRuns()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        using var health = new ServiceHealth();
        var logs = new CapturingLoggerProvider();
        var restarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        health.Restarted += _ =>
        {
            if (health.RestartsOf("test loop") == 3)
            {
                restarted.TrySetResult();
            }
        };
        using var loop = new Failing(new InvalidOperationException("boom"), health, null, logs.CreateLogger("t"), failures: 3, time);

        await loop.StartAsync(CancellationToken.None);
        while (!restarted.Task.IsCompleted || loop.Runs < 4)
        {
            // Each backoff waits on the injected clock: move it on until the fourth run starts.
            time.Advance(TimeSpan.FromSeconds(31));
            await Task.WhenAny(restarted.Task, Task.Delay(10));
        }

        await loop.StopAsync(CancellationToken.None);
        Assert.Equal(3, health.RestartsOf("test loop"));
        Assert.Equal(4, loop.Runs);
        Assert.Equal(0, health.ExitCode);
        Assert.Equal(3, logs.Lines.Count(l => l.StartsWith("Error: test loop failed, restarting in ", StringComparison.Ordinal) && l.EndsWith(": InvalidOperationException: boom", StringComparison.Ordinal)));
    }

    private static bool Ready(WebhookServer server)
    {
        using var response = server.Client.GetAsync("/readyz").GetAwaiter().GetResult();
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>Restarts as the process counts them (also exported as admissionguard_service_restarts_total{service}).</summary>
    private static int Restarts(WebhookServer server) =>
        server.App.Services.GetRequiredService<ServiceHealth>().RestartsOf("leader election");

    private static JsonObject Pod(string image) => Webhooks.TestObjects.Review(new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = "app", ["namespace"] = "default" },
        ["spec"] = new JsonObject { ["containers"] = new JsonArray(Webhooks.TestObjects.Container("app", image)) },
    });

    /// <summary>A loop that throws <paramref name="error"/> on its first <paramref name="failures"/> runs, then runs until stopped.</summary>
    private sealed class Failing(Exception error, ServiceHealth health, IHostApplicationLifetime? lifetime, ILogger logger, int failures = int.MaxValue, TimeProvider? time = null)
        : SupervisedService("test loop", time ?? TimeProvider.System, logger, health, lifetime)
    {
        private int runs;

        public int Runs => Volatile.Read(ref runs);

        protected override async Task RunAsync(CancellationToken stoppingToken)
        {
            if (Interlocked.Increment(ref runs) <= failures)
            {
                throw error;
            }

            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
    }
}
