using AdmissionGuard.Tests.Kubernetes;
using AdmissionGuard.Tests.Webhooks;

namespace AdmissionGuard.Tests.Audit;

/// <summary><c>serve</c> in cluster mode against the fake API server: the audit runs by itself and shows in /metrics.</summary>
public sealed class AuditServeTests
{
    [Fact]
    public async Task Serve_ClusterMode_WritesPolicyReportsAndAdoptionGaugesWithoutBeingAsked()
    {
        await using var api = await FakeKubeApiServer.StartAsync();
        // As the chart's service account, with the chart's namespace and Lease: every request the audit, the leader and
        // the watchers make must be one the chart's RBAC grants.
        var rbac = ChartRbac.Render();
        api.Rbac = rbac;
        AuditCluster.SeedServeCluster(api);
        var kubeconfig = api.WriteKubeconfig();
        try
        {
            await using var server = await WebhookServer.StartInClusterModeAsync("--kubeconfig", kubeconfig, "--audit-interval", "1h",
                "--namespace", rbac.Argument("--namespace"), "--leader-election-lease", rbac.Argument("--leader-election-lease"));

            await Eventually.True(() => api.Get(AuditCluster.Reports, "team/admissionguard") is not null, "the PolicyReport of namespace team", seconds: 60);
            var report = api.Get(AuditCluster.Reports, "team/admissionguard")!;
            Assert.Equal(1, (int)report["summary"]!["warn"]!);
            Assert.Equal(1, (int)report["summary"]!["pass"]!);
            var metrics = await server.Client.GetStringAsync("/metrics");
            Assert.Matches("admissionguard_workload_images\\{[^}]*hardened=\"false\"[^}]*\\} 1", metrics);
            Assert.Matches("admissionguard_workload_images\\{[^}]*hardened=\"true\"[^}]*namespace=\"team\"[^}]*\\} 1", metrics);
            Assert.Empty(api.Denials);
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }
}
