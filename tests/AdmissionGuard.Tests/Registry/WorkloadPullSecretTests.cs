using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AdmissionGuard.Kubernetes;
using AdmissionGuard.Tests.Kubernetes;
using AdmissionGuard.Tests.Webhooks;
using Review = AdmissionGuard.Tests.Webhooks.TestObjects;

namespace AdmissionGuard.Tests.Registry;

/// <summary>
/// <c>--workload-pull-secrets</c> end to end: <c>serve</c> in cluster mode against the fake API server (Secrets,
/// ServiceAccounts, policies), asking the real registry that needs a login whether a twin exists, with the
/// credentials of the workload being admitted and only those.
/// </summary>
[Collection(RegistryTestGroup.Name)]
public sealed class WorkloadPullSecretTests(RegistryFixture registry) : IAsyncLifetime
{
    private FakeKubeApiServer _api = null!;
    private WebhookServer _server = null!;
    private string _kubeconfig = "";

    private string Image => $"{registry.Auth.Host}/private/app:1";

    private string PinnedTwin => $"{registry.Auth.Host}/private/app:1-hardened@{registry.AuthHardenedDigest}";

    public async Task InitializeAsync()
    {
        _api = await FakeKubeApiServer.StartAsync();
        // As the chart's service account with the pull-secret grants the chart adds for registry.workloadPullSecrets.
        var rbac = Kubernetes.ChartRbac.Render("registry.workloadPullSecrets=true");
        _api.Rbac = rbac;
        _api.Apply(ResourcePath.HardenedImageSources.Collection, $$$"""
            {"apiVersion":"admissionguard.io/v1alpha1","kind":"HardenedImageSource","metadata":{"name":"private-hardened"},
             "spec":{"hardened":["**:*-hardened"],"mappings":[{"from":"{{{registry.Auth.Host}}}/**","to":"{repository}:{tag}-hardened"}],"verifyExists":true}}
            """);
        _api.Apply(ResourcePath.ClusterImagePolicies.Collection, """
            {"apiVersion":"admissionguard.io/v1alpha1","kind":"ClusterImagePolicy","metadata":{"name":"hardened-only"},
             "spec":{"rules":{"hardened":{"required":true,"sources":["private-hardened"]}},"rewrite":{"enabled":true,"pinDigest":true}}}
            """);
        foreach (var ns in new[] { "team", "other" })
        {
            _api.Apply(ResourcePath.Namespaces.Collection, Kubernetes.TestObjects.Namespace(ns));
        }

        _api.Apply(ResourcePath.Secrets.Collection, PullSecret("team", "regcred", RegistryFixture.User, RegistryFixture.Password));
        _api.Apply(ResourcePath.Secrets.Collection, PullSecret("team", "stale-cred", RegistryFixture.User, "not-the-password"));
        _api.Apply(ResourcePath.Secrets.Collection, LegacyPullSecret("team", "old-style", RegistryFixture.User, RegistryFixture.Password));
        _api.Apply(ResourcePath.Secrets.Collection, """
            {"apiVersion":"v1","kind":"Secret","metadata":{"name":"broken","namespace":"team"},"type":"kubernetes.io/dockerconfigjson","data":{".dockerconfigjson":"%%% not base64"}}
            """);
        // Same name in another namespace, wrong password: a name never crosses namespaces.
        _api.Apply(ResourcePath.Secrets.Collection, PullSecret("other", "regcred", RegistryFixture.User, "wrong"));
        _api.Apply(ResourcePath.ServiceAccounts.Collection, """
            {"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"builder","namespace":"team"},"imagePullSecrets":[{"name":"regcred"}]}
            """);

        _kubeconfig = _api.WriteKubeconfig();
        _server = await WebhookServer.StartInClusterModeAsync("--kubeconfig", _kubeconfig, "--workload-pull-secrets",
            "--namespace", rbac.Argument("--namespace"), "--leader-election-lease", rbac.Argument("--leader-election-lease"),
            "--registry-ca", registry.CaFile, "--registry-budget", "2s", "--deadline", "4s");
        // Ready only once policies, namespaces, pull secrets and service accounts have all been listed.
        for (var i = 0; i < 200; i++)
        {
            using var ready = await _server.Client.GetAsync("/readyz");
            if (ready.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("serve did not get ready: " + _server.Stderr);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _api.DisposeAsync();
        // Every request serve made was one the chart's RBAC grants (fails the test that ran, as a dispose failure).
        Assert.Empty(_api.Denials);
        File.Delete(_kubeconfig);
    }

    [Fact]
    public async Task Pod_WithPullSecretForTheRegistry_TwinVerifiedWithItAndPinned()
    {
        var response = await _server.ReviewAsync("/mutate", Pod("team", Image, "regcred"));

        Assert.Equal(PinnedTwin, ReplacedImage(response));
    }

    [Fact]
    public void Secrets_OnlyDockerConfigTypesAreEverRequested()
    {
        var secretRequests = _api.RequestsTo("GET", "/secrets");

        Assert.NotEmpty(secretRequests);
        Assert.All(secretRequests, r => Assert.Matches(@"fieldSelector=type%3Dkubernetes\.io%2Fdocker(configjson|cfg)", r.Query));
    }

    [Fact]
    public async Task Pod_BrokenSecretNamedFirst_SkippedAsTheKubeletSkipsItAndTheNextOneUsed()
    {
        var response = await _server.ReviewAsync("/mutate", Pod("team", Image, "broken", "regcred"));

        Assert.Equal(PinnedTwin, ReplacedImage(response));
    }

    [Fact]
    public async Task Pod_WithLegacyDockercfgSecret_TwinVerified()
    {
        var response = await _server.ReviewAsync("/mutate", Pod("team", Image, "old-style"));

        Assert.Equal(PinnedTwin, ReplacedImage(response));
    }

    [Fact]
    public async Task Pod_WithoutPullSecret_TwinNotVerifiedEvenAfterAnotherNamespaceVerifiedIt()
    {
        // The twin is known to exist for "team"'s credential first: that answer must not serve a Pod that has none.
        Assert.Equal(PinnedTwin, ReplacedImage(await _server.ReviewAsync("/mutate", Pod("team", Image, "regcred"))));

        var mutated = await _server.ReviewAsync("/mutate", Pod("other", Image));
        var validated = await _server.ReviewAsync("/validate", Pod("other", Image));

        Assert.Null(mutated["patch"]);
        Assert.False((bool)validated["allowed"]!);
        Assert.Contains($"its hardened twin \"{registry.Auth.Host}/private/app:1-hardened\" could not be verified: its registry is unreachable or refused access",
            (string)validated["status"]!["message"]!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("other", "regcred")]    // the name exists, in another namespace (with a wrong password)
    [InlineData("team", "stale-cred")]  // a secret with a wrong password
    [InlineData("team", "no-such")]     // a secret that does not exist
    public async Task Pod_WithSecretThatCannotPull_NoRewrite(string ns, string secret)
    {
        Assert.Equal(PinnedTwin, ReplacedImage(await _server.ReviewAsync("/mutate", Pod("team", Image, "regcred"))));

        var response = await _server.ReviewAsync("/mutate", Pod(ns, Image, secret));

        Assert.Null(response["patch"]);
    }

    // rewrite.target is Pods (the default): a template is not patched, it is judged as the image its Pods will get.
    [Fact]
    public async Task Deployment_ServiceAccountWithPullSecret_AllowedAsTheTwinItsPodsWillGet()
    {
        var deployment = Review.Load("Deployment", "team", Image);
        Review.PodSpec(deployment)["serviceAccountName"] = "builder";

        var response = await _server.ReviewAsync("/validate", Review.Review(deployment));

        Assert.True((bool)response["allowed"]!, response.ToJsonString());
        Assert.Contains(response["warnings"]!.AsArray(), w => ((string)w!).Contains($"will be replaced by \"{registry.Auth.Host}/private/app:1-hardened", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deployment_DefaultServiceAccountWithoutSecrets_Denied()
    {
        var response = await _server.ReviewAsync("/validate", Review.Review(Review.Load("Deployment", "team", Image)));

        Assert.False((bool)response["allowed"]!);
        Assert.Contains("could not be verified", (string)response["status"]!["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deployment_OwnPullSecretsWinOverServiceAccount_AsTheApiServerWouldCopyThem()
    {
        // The ServiceAccount plugin copies the account's secrets only into Pods that name none.
        var deployment = Review.Load("Deployment", "team", Image);
        Review.PodSpec(deployment)["serviceAccountName"] = "builder";
        Review.PodSpec(deployment)["imagePullSecrets"] = new JsonArray(new JsonObject { ["name"] = "stale-cred" });

        var response = await _server.ReviewAsync("/validate", Review.Review(deployment));

        Assert.False((bool)response["allowed"]!);
    }

    private static JsonObject Pod(string ns, string image, params string[] pullSecrets)
    {
        var spec = new JsonObject { ["containers"] = new JsonArray(Review.Container("app", image)) };
        if (pullSecrets.Length != 0)
        {
            spec["imagePullSecrets"] = new JsonArray([.. pullSecrets.Select(s => (JsonNode)new JsonObject { ["name"] = s })]);
        }

        return Review.Review(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = "app", ["namespace"] = ns },
            ["spec"] = spec,
        });
    }

    private static string? ReplacedImage(JsonObject response)
    {
        if (response["patch"] is not { } patch)
        {
            return null;
        }

        var ops = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String((string)patch!)))!.AsArray();
        return (string?)ops.Single(op => (string)op!["op"]! == "replace")!["value"];
    }

    private static string Auth(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    private string PullSecret(string ns, string name, string user, string password)
    {
        var config = new JsonObject { ["auths"] = new JsonObject { [registry.Auth.Host] = new JsonObject { ["auth"] = Auth(user, password) } } }.ToJsonString();
        return $$$"""
            {"apiVersion":"v1","kind":"Secret","metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}"},"type":"kubernetes.io/dockerconfigjson",
             "data":{".dockerconfigjson":"{{{Convert.ToBase64String(Encoding.UTF8.GetBytes(config))}}}"}}
            """;
    }

    private string LegacyPullSecret(string ns, string name, string user, string password)
    {
        var config = $$$"""{"https://{{{registry.Auth.Host}}}":{"auth":"{{{Auth(user, password)}}}","email":"ci@example.com"}}""";
        return $$$"""
            {"apiVersion":"v1","kind":"Secret","metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}"},"type":"kubernetes.io/dockercfg",
             "data":{".dockercfg":"{{{Convert.ToBase64String(Encoding.UTF8.GetBytes(config))}}}"}}
            """;
    }
}
