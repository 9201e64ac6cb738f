using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AdmissionGuard.Kubernetes;
using AdmissionGuard.Tests.Kubernetes;
using AdmissionGuard.Tests.Registry;
using AdmissionGuard.Tests.Webhooks;

namespace AdmissionGuard.Tests.Signatures;

/// <summary>
/// Cluster mode: a <c>secretRef</c> key is read from the Secret it names (through the fake API server's real list/watch),
/// and a changed key takes effect: what verified under the old key no longer does, and what the new key signed does.
/// </summary>
[Collection(SignatureTestGroup.Name)]
public sealed class SecretKeyTests(SignedRegistryFixture registry) : IAsyncLifetime
{
    private FakeKubeApiServer _api = null!;
    private WebhookServer _server = null!;
    private string _kubeconfig = "";

    public async Task InitializeAsync()
    {
        _api = await FakeKubeApiServer.StartAsync();
        // As the chart's service account, granted the one key Secret the policy names (signatures.keySecrets).
        var rbac = Kubernetes.ChartRbac.Render("signatures.keySecrets[0].namespace=admission-guard", "signatures.keySecrets[0].name=team-cosign");
        _api.Rbac = rbac;
        _api.Apply(ResourcePath.Namespaces.Collection, Kubernetes.TestObjects.Namespace("default"));
        _api.Apply(ResourcePath.Secrets.Collection, KeySecret(registry.PublicKey("p256")));
        _api.Apply(ResourcePath.ClusterImagePolicies.Collection, new JsonObject
        {
            ["apiVersion"] = "admissionguard.io/v1alpha1",
            ["kind"] = "ClusterImagePolicy",
            ["metadata"] = new JsonObject { ["name"] = "team-signed" },
            ["spec"] = new JsonObject
            {
                ["images"] = new JsonObject { ["include"] = new JsonArray($"{registry.Host}/team/cosign-*") },
                ["rules"] = new JsonObject
                {
                    ["signatures"] = new JsonObject
                    {
                        ["keys"] = new JsonArray(new JsonObject
                        {
                            ["name"] = "team",
                            ["secretRef"] = new JsonObject { ["namespace"] = "admission-guard", ["name"] = "team-cosign", ["key"] = "cosign.pub" },
                        }),
                    },
                },
            },
        }.ToJsonString());
        _kubeconfig = _api.WriteKubeconfig();
        _server = await WebhookServer.StartInClusterModeAsync("--kubeconfig", _kubeconfig, "--insecure-registry", registry.Host,
            "--namespace", rbac.Argument("--namespace"), "--leader-election-lease", rbac.Argument("--leader-election-lease"),
            "--registry-budget", "3s", "--deadline", "8s");
        Assert.True(await TestTools.EventuallyAsync(() => _server.Client.GetAsync("/readyz").GetAwaiter().GetResult().StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30)), _server.Stderr.ToString());
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _api.DisposeAsync();
        // Every request serve made was one the chart's RBAC grants (fails the test that ran, as a dispose failure).
        Assert.Empty(_api.Denials);
        File.Delete(_kubeconfig);
    }

    private static string KeySecret(string pem) => new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject { ["name"] = "team-cosign", ["namespace"] = "admission-guard" },
        ["data"] = new JsonObject { ["cosign.pub"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(pem)) },
    }.ToJsonString();

    private static JsonObject Pod(string image) => Webhooks.TestObjects.Review(new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = "app", ["namespace"] = "default" },
        ["spec"] = new JsonObject { ["containers"] = new JsonArray(Webhooks.TestObjects.Container("app", image)) },
    });

    private async Task<string?> DenialAsync(string image)
    {
        var response = await _server.ReviewAsync("/validate", Pod(image));
        return (bool)response["allowed"]! ? null : (string?)response["status"]?["message"];
    }

    [Fact]
    public async Task Validate_KeyInSecretThatChanges_TheNewKeyTakesEffect()
    {
        var signedByP256 = registry.Image("cosign-p256");
        var signedByOther = registry.Image("cosign-wrongkey");

        // The watch may still be syncing on the first request: wait for the key to be read, not for a time.
        string? first = "";
        Assert.True(await TestTools.EventuallyAsync(() => (first = DenialAsync(signedByP256).GetAwaiter().GetResult()) is null, TimeSpan.FromSeconds(30)), first);
        Assert.Contains("is not signed by any of [team]", await DenialAsync(signedByOther), StringComparison.Ordinal);

        _api.Apply(ResourcePath.Secrets.Collection, KeySecret(registry.PublicKey("other")));

        string? denial = null;
        Assert.True(await TestTools.EventuallyAsync(() => (denial = DenialAsync(signedByP256).GetAwaiter().GetResult()) is not null, TimeSpan.FromSeconds(30)), "the old key still verifies");
        Assert.Contains($"image \"{signedByP256}\" is not signed by any of [team]", denial, StringComparison.Ordinal);
        Assert.Null(await DenialAsync(signedByOther));
    }
}
