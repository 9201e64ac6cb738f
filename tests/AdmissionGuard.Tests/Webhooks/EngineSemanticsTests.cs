using System.Text.Json.Nodes;

namespace AdmissionGuard.Tests.Webhooks;

/// <summary>
/// The engine semantics API.md settles, through the real /mutate and /validate over TLS: no rewrite chain across
/// reinvocations, twins that pass their own policy, and UPDATEs judged only for what they change.
/// </summary>
public sealed class EngineSemanticsTests
{
    // a-dhi rewrites to dhi.io first (name order); b-suffix would map any image to "<image>-hardened".
    // pci applies only to Pods labelled tier=pci. The dhi source does not verify, so no registry is needed.
    private const string Policies = """
        apiVersion: admissionguard.io/v1alpha1
        kind: HardenedImageSource
        metadata: {name: dhi}
        spec:
          hardened: ["dhi.io/**"]
          mappings:
            - {from: "docker.io/library/*", to: "dhi.io/{name}:{tag}"}
          verifyExists: false
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: HardenedImageSource
        metadata: {name: suffix}
        spec:
          hardened: ["**:*-hardened"]
          mappings:
            - {from: "**", to: "{repository}:{tag}-hardened"}
          verifyExists: false
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: ClusterImagePolicy
        metadata: {name: a-dhi}
        spec:
          mode: Enforce
          match: {excludeNamespaces: [pci-only]}
          rules:
            hardened: {required: true, sources: [dhi]}
            tags: {disallowed: ["latest"]}
          rewrite: {enabled: true}
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: ClusterImagePolicy
        metadata: {name: b-suffix}
        spec:
          mode: Warn
          match: {excludeNamespaces: [pci-only]}
          rules:
            hardened: {required: true, sources: [suffix]}
            tags: {disallowed: ["latest", "latest-*"]}
          rewrite: {enabled: true}
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: ClusterImagePolicy
        metadata: {name: pci}
        spec:
          mode: Enforce
          match:
            namespaces: [pci-only]
            podSelector: {matchLabels: {tier: pci}}
          rules:
            hardened: {required: true, sources: [dhi]}
        """;

    private static Task<WebhookServer> StartAsync() =>
        WebhookServer.StartWithAsync(new Dictionary<string, string> { ["policies.yaml"] = Policies }, null);

    [Fact]
    public async Task Mutate_ReinvokedAfterRewrite_DoesNotChainToAnotherSource()
    {
        await using var server = await StartAsync();
        var pod = TestObjects.Load("Pod");

        var first = await server.ReviewAsync("/mutate", TestObjects.Review(pod));
        var patched = JsonPatch.Apply(pod, JsonNode.Parse(Convert.FromBase64String((string)first["patch"]!))!.AsArray()).AsObject();
        var again = await server.ReviewAsync("/mutate", TestObjects.Review(patched));

        Assert.Equal("dhi.io/nginx:1.25", (string?)TestObjects.Containers(patched)[0]!["image"]);
        // dhi (named by a-dhi, which matches the Pod) calls dhi.io/nginx:1.25 hardened: b-suffix must not map it on.
        Assert.True((bool)again["allowed"]!);
        Assert.Null(again["patch"]);
    }

    [Fact]
    public async Task MutateAndValidate_TwinBreakingTagRule_NotRewrittenAndDenialSaysPinAVersion()
    {
        await using var server = await StartAsync();
        var pod = TestObjects.Load("Pod", image: "busybox");

        var mutated = await server.ReviewAsync("/mutate", TestObjects.Review(pod));
        var validated = await server.ReviewAsync("/validate", TestObjects.Review(pod));

        Assert.Null(mutated["patch"]);
        Assert.False((bool)validated["allowed"]!);
        var lines = ((string)validated["status"]!["message"]!).Split('\n');
        Assert.Contains("- container \"web\": image \"busybox\" is not hardened; its hardened twin \"dhi.io/busybox:latest\" has disallowed tag \"latest\": pin a version, e.g. \"dhi.io/busybox:<version>\"", lines);
    }

    [Fact]
    public async Task Validate_DeploymentScaledWithStaleImage_AllowedButTemplateChangeJudged()
    {
        await using var server = await StartAsync();
        var old = TestObjects.Load("Deployment", image: "quay.io/evil/miner:1.0");
        var scaled = old.DeepClone().AsObject();
        scaled["spec"]!["replicas"] = 7;
        scaled["metadata"]!["finalizers"] = new JsonArray();
        var changed = old.DeepClone().AsObject();
        TestObjects.Containers(changed)[0]!["image"] = "quay.io/evil/miner:2.0";

        var scale = await server.ReviewAsync("/validate", TestObjects.Review(scaled, "UPDATE", oldObject: old));
        var change = await server.ReviewAsync("/validate", TestObjects.Review(changed, "UPDATE", oldObject: old));

        Assert.True((bool)scale["allowed"]!);
        Assert.Null(scale["warnings"]);
        Assert.False((bool)change["allowed"]!);
        Assert.Contains("image \"quay.io/evil/miner:2.0\" is not hardened", (string)change["status"]!["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_PodGainsLabelOfAnotherPolicy_RunningImageJudgedByIt()
    {
        await using var server = await StartAsync();
        var old = TestObjects.Load("Pod", ns: "pci-only");
        var labelled = old.DeepClone().AsObject();
        labelled["metadata"]!["labels"] = new JsonObject { ["tier"] = "pci" };
        var relabelledOnly = old.DeepClone().AsObject();
        relabelledOnly["metadata"]!["labels"] = new JsonObject { ["team"] = "shop" };

        var gained = await server.ReviewAsync("/validate", TestObjects.Review(labelled, "UPDATE", oldObject: old));
        var unrelated = await server.ReviewAsync("/validate", TestObjects.Review(relabelledOnly, "UPDATE", oldObject: old));

        Assert.False((bool)gained["allowed"]!);
        Assert.StartsWith("images denied by ClusterImagePolicy/pci:\n- container \"web\": image \"nginx:1.25\" is not hardened", (string)gained["status"]!["message"]!, StringComparison.Ordinal);
        Assert.True((bool)unrelated["allowed"]!);
    }
}
