using AdmissionGuard.Commands;
using AdmissionGuard.Hosting;
using AdmissionGuard.Kubernetes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AdmissionGuard.Tests.Kubernetes;

public sealed class ClusterModeTests
{
    [Fact]
    public void TryParse_ChartArguments_ReadsEveryFlag()
    {
        var options = Parse(out var error, "--listen", "0.0.0.0:8443", "--namespace", "ag", "--service-name", "admission-guard",
            "--leader-election-lease", "admission-guard-leader", "--tls-cert", "/etc/tls.crt", "--tls-key", "/etc/tls.key", "--trivy-operator-reports");
        Assert.Null(error);
        Assert.NotNull(options);
        Assert.Equal("ag", options.Namespace);
        Assert.Equal("admission-guard", options.ServiceName);
        Assert.Equal("admission-guard-leader", options.LeaseName);
        Assert.True(options.TrivyOperatorReports);
    }

    [Fact]
    public void TryParse_WithPolicies_LocalModeNoError()
    {
        Assert.Null(Parse(out var error, "--policies", "/tmp"));
        Assert.Null(error);
    }

    [Fact]
    public void TryParse_SelfManagedChartArguments_NamesSecretServiceAndWebhooks()
    {
        var options = Parse(out var error, "--namespace", "ag", "--service-name", "admission-guard", "--tls-secret", "ag-tls", "--validating-webhook", "ag-v", "--mutating-webhook", "ag-m");
        Assert.Null(error);
        var certificates = options!.SelfManagedCertificates!;
        Assert.Equal(("ag-tls", "ag", "ag-v", "ag-m"), (certificates.SecretName, certificates.Namespace, certificates.ValidatingWebhook, certificates.MutatingWebhook));
        Assert.Equal(["admission-guard.ag.svc", "admission-guard.ag.svc.cluster.local"], certificates.DnsNames);
    }

    [Fact]
    public void TryParse_TlsSecretWithoutServiceName_Error()
    {
        Assert.Null(Parse(out var error, "--tls-secret", "ag-tls"));
        Assert.Contains("--service-name", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_TlsSecretWithCertificateFiles_Error()
    {
        Assert.Null(Parse(out var error, "--service-name", "s", "--tls-secret", "ag-tls", "--tls-cert", "/c", "--tls-key", "/k"));
        Assert.Contains("exclude each other", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddClusterMode_WithTlsSecret_ProvidesCertificateProviderAndIssuer()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        var rbac = ChartRbac.Render("certificates.mode=self-managed");
        server.Rbac = rbac;
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddClusterMode(
            new ClusterModeOptions
            {
                Namespace = rbac.Argument("--namespace"), ServiceName = rbac.Argument("--service-name"), TlsSecret = rbac.Argument("--tls-secret"),
                LeaseName = rbac.Argument("--leader-election-lease"), Identity = "me", Watch = TestObjects.FastWatch,
            },
            server.Configuration());
        await using var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().ToList();
        // Policies, certificates (issuer and provider), and the chart's Lease: its leader election.
        Assert.Equal(4, hosted.Count);
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        var certificates = Assert.IsType<SelfManagedCertificatesProvider>(provider.GetRequiredService<AdmissionGuard.Certificates.ICertificateProvider>());
        await certificates.FirstCertificate.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.NotNull(server.Get(ResourcePath.Secrets.Collection, $"{rbac.Argument("--namespace")}/{rbac.Argument("--tls-secret")}"));
        Assert.Empty(server.Denials);
        foreach (var service in hosted)
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task AddClusterMode_AgainstFakeServer_LoadsAndElects()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        var rbac = ChartRbac.Render();
        server.Rbac = rbac;
        server.Apply(ResourcePath.ClusterImagePolicies.Collection, TestObjects.ClusterPolicy("prod"));
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddClusterMode(
            new ClusterModeOptions { Namespace = rbac.Argument("--namespace"), LeaseName = rbac.Argument("--leader-election-lease"), Identity = "me", Watch = TestObjects.FastWatch },
            server.Configuration());
        await using var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().ToList();
        Assert.Equal(2, hosted.Count);
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        await Eventually.True(() => provider.GetRequiredService<AdmissionStateStore>().Current is { Loaded: true, Snapshot.PolicyCount: 1 }, "loaded");
        await Eventually.True(() => provider.GetRequiredService<ILeadership>().IsLeader, "leader");
        await Eventually.True(() => server.RequestsTo("PATCH", "/prod/status").Count == 1, "status written");
        Assert.Empty(server.Denials);
        foreach (var service in hosted)
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    private static ClusterModeOptions? Parse(out string? error, params string[] args)
    {
        var line = Cli.Root(ServeCommand.Create()).Parse(["serve", .. args]);
        Assert.Empty(line.Errors);
        return ClusterModeOptions.TryParse(line, out error);
    }
}
