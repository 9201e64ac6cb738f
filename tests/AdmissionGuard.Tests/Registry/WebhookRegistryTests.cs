using System.Text;
using System.Text.Json.Nodes;
using AdmissionGuard.Tests.Webhooks;

namespace AdmissionGuard.Tests.Registry;

/// <summary>
/// The whole path with a real registry: the webhook asks docker-registry (plain HTTP, listed as insecure)
/// whether a hardened twin exists, rewrites only to one that does, and pins the digest it checked.
/// </summary>
[Collection(RegistryTestGroup.Name)]
public sealed class WebhookRegistryTests(RegistryFixture registry)
{
    private Dictionary<string, string> Policies() => new() { ["policies.yaml"] = PolicyYaml(registry) };

    /// <summary>A source of <c>-hardened</c> twins in <paramref name="registry"/>'s plain registry, verified, and a policy that rewrites and pins.</summary>
    internal static string PolicyYaml(RegistryFixture registry) => $$"""
        apiVersion: admissionguard.io/v1alpha1
        kind: HardenedImageSource
        metadata: {name: local-hardened}
        spec:
          hardened: ["**:*-hardened"]
          mappings:
            - {from: "{{registry.Plain.Host}}/**", to: "{repository}:{tag}-hardened"}
          verifyExists: true
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: ClusterImagePolicy
        metadata: {name: hardened-only}
        spec:
          rules:
            hardened: {required: true, sources: [local-hardened]}
          rewrite: {enabled: true, pinDigest: true}
        """;

    private Task<WebhookServer> StartAsync() => WebhookServer.StartWithAsync(Policies(), null,
        "--insecure-registry", registry.Plain.Host, "--registry-budget", "2s", "--deadline", "4s");

    private static JsonObject Pod(string image) => TestObjects.Review(new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = "app", ["namespace"] = "default" },
        ["spec"] = new JsonObject { ["containers"] = new JsonArray(TestObjects.Container("app", image)) },
    });

    [Fact]
    public async Task Mutate_TwinExistsInRegistry_RewritesAndPinsTheCheckedDigest()
    {
        await using var server = await StartAsync();
        var image = $"{registry.Plain.Host}/library/nginx:1.25";

        var response = await server.ReviewAsync("/mutate", Pod(image));

        var patch = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String((string)response["patch"]!)))!.AsArray();
        var replace = patch.Single(op => (string)op!["op"]! == "replace")!;
        Assert.Equal("/spec/containers/0/image", (string)replace["path"]!);
        Assert.Equal($"{image}-hardened@{registry.HardenedDigest}", (string)replace["value"]!);
    }

    [Fact]
    public async Task Mutate_TwinMissingFromRegistry_OnlyPinsTheIndexDigestAndValidateDeniesWithoutSuggestingIt()
    {
        await using var server = await StartAsync();
        var image = $"{registry.Plain.Host}/library/multi:1";   // multi:1-hardened was never pushed

        var mutated = await server.ReviewAsync("/mutate", Pod(image));
        var validated = await server.ReviewAsync("/validate", Pod(image));

        // No twin to rewrite to; pinDigest still pins the tag-only image, to its multi-arch index digest.
        Assert.True((bool)mutated["allowed"]!);
        var patch = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String((string)mutated["patch"]!)))!.AsArray();
        Assert.Equal($"{image}@{registry.IndexDigest}", (string)patch.Single(op => (string)op!["op"]! == "replace")!["value"]!);
        Assert.False((bool)validated["allowed"]!);
        var message = (string)validated["status"]!["message"]!;
        Assert.Contains($"image \"{image}\" is not hardened", message, StringComparison.Ordinal);
        Assert.DoesNotContain("use \"", message, StringComparison.Ordinal);
    }
}
