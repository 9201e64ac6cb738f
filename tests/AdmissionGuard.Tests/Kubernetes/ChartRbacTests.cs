using System.Net;
using k8s;
using k8s.Autorest;

namespace AdmissionGuard.Tests.Kubernetes;

/// <summary>The chart's RBAC, as <c>helm template</c> renders it, enforced by the fake API server.</summary>
public sealed class ChartRbacTests
{
    private const string Ns = ChartRbac.ReleaseNamespace;

    [Fact]
    public void Render_Default_ServiceAccountAndServeArgumentsFromTheDeployment()
    {
        var rbac = ChartRbac.Render();

        Assert.Equal("system:serviceaccount:admission-guard:admission-guard", rbac.User);
        Assert.Equal("admission-guard-leader", rbac.Argument("--leader-election-lease"));
        Assert.Equal(Ns, rbac.Argument("--namespace"));
    }

    [Fact]
    public void Allows_Default_ExactlyTheChartsGrants()
    {
        var rbac = ChartRbac.Render();

        Assert.True(rbac.Allows("watch", "admissionguard.io", "imagepolicies", "team", null));
        Assert.True(rbac.Allows("patch", "admissionguard.io", "clusterimagepolicies/status", null, "p"));
        Assert.False(rbac.Allows("patch", "admissionguard.io", "clusterimagepolicies", null, "p"));
        // The Lease: create anywhere in the release namespace (no name yet), get/patch only the chart's Lease, never update.
        Assert.True(rbac.Allows("create", "coordination.k8s.io", "leases", Ns, null));
        Assert.False(rbac.Allows("create", "coordination.k8s.io", "leases", "default", null));
        Assert.True(rbac.Allows("patch", "coordination.k8s.io", "leases", Ns, "admission-guard-leader"));
        Assert.False(rbac.Allows("patch", "coordination.k8s.io", "leases", Ns, "other"));
        Assert.False(rbac.Allows("update", "coordination.k8s.io", "leases", Ns, "admission-guard-leader"));
        // Secrets: only the serving certificate's, by name (list/watch by field selector), unless pull secrets are opted in.
        Assert.True(rbac.Allows("watch", "", "secrets", Ns, "admission-guard-tls"));
        Assert.False(rbac.Allows("list", "", "secrets", Ns, null));
        Assert.False(rbac.Allows("list", "", "secrets", null, null));
        Assert.True(ChartRbac.Render("registry.workloadPullSecrets=true").Allows("list", "", "secrets", null, null));
    }

    [Fact]
    public async Task Request_OutsideTheChartsRules_ForbiddenWithTheAuthorizersWording()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        server.Rbac = ChartRbac.Render();
        using var client = server.CreateClient();

        var replace = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoordinationV1.ReplaceNamespacedLeaseAsync(
            new k8s.Models.V1Lease { Metadata = new() { Name = "admission-guard-leader", NamespaceProperty = Ns } }, "admission-guard-leader", Ns));
        var list = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ListSecretForAllNamespacesAsync());

        Assert.Equal(HttpStatusCode.Forbidden, replace.Response.StatusCode);
        Assert.Equal("""
            leases.coordination.k8s.io "admission-guard-leader" is forbidden: User "system:serviceaccount:admission-guard:admission-guard" cannot update resource "leases" in API group "coordination.k8s.io" in the namespace "admission-guard"
            """, Message(replace));
        Assert.Equal("""
            secrets is forbidden: User "system:serviceaccount:admission-guard:admission-guard" cannot list resource "secrets" in API group "" at the cluster scope
            """, Message(list));
        // What the chart grants goes through.
        Assert.NotNull(await client.CustomObjects.ListClusterCustomObjectAsync("admissionguard.io", "v1alpha1", "clusterimagepolicies"));
    }

    private static string? Message(HttpOperationException error) => (string?)System.Text.Json.Nodes.JsonNode.Parse(error.Response.Content)!["message"];
}
