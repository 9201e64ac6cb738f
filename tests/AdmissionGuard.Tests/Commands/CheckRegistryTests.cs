using System.Text;
using System.Text.Json.Nodes;
using AdmissionGuard.Tests.Registry;
using AdmissionGuard.Tests.Webhooks;

namespace AdmissionGuard.Tests.Commands;

/// <summary>
/// <c>check --registry</c> against the real docker-registry agrees with <c>serve</c> on the same policies and Pod:
/// the cluster path is /mutate, the patch applied, then /validate of what will run.
/// </summary>
[Collection(RegistryTestGroup.Name)]
public sealed class CheckRegistryTests(RegistryFixture registry) : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ag-check-registry-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    // The very policy the webhook's own registry tests serve.
    private string PolicyYaml => WebhookRegistryTests.PolicyYaml(registry);

    private static JsonObject Pod(string image) => TestObjects.Review(new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = "app", ["namespace"] = "default" },
        ["spec"] = new JsonObject { ["containers"] = new JsonArray(TestObjects.Container("app", image)) },
    });

    /// <summary>What the cluster runs and says: the image after /mutate's patch, and /validate's verdict on it.</summary>
    private static async Task<(string Image, bool Allowed, string? Message)> ServeAsync(WebhookServer server, string image)
    {
        var mutated = await server.ReviewAsync("/mutate", Pod(image));
        var runs = image;
        if (mutated["patch"] is { } patch)
        {
            var operations = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String((string)patch!)))!.AsArray();
            runs = (string)operations.Single(op => (string)op!["op"]! == "replace")!["value"]!;
        }

        var validated = await server.ReviewAsync("/validate", Pod(runs));
        return (runs, (bool)validated["allowed"]!, (string?)validated["status"]?["message"]);
    }

    private async Task<AdmissionGuardProcess.Result> CheckAsync(string image, params string[] args)
    {
        var policies = Path.Combine(_temp, "policies");
        Directory.CreateDirectory(policies);
        await File.WriteAllTextAsync(Path.Combine(policies, "policies.yaml"), PolicyYaml);
        var pod = Path.Combine(_temp, "pod.yaml");
        await File.WriteAllTextAsync(pod, $"apiVersion: v1\nkind: Pod\nmetadata: {{name: app}}\nspec:\n  containers:\n    - {{name: app, image: \"{image}\"}}\n");
        return await AdmissionGuardProcess.RunAsync(null, ["check", "-f", pod, "--policies", policies, .. args]);
    }

    [Fact]
    public async Task CheckRegistry_TwinInRegistry_RewritesToTheSamePinnedTwinAsServeAndAllows()
    {
        var image = $"{registry.Plain.Host}/library/nginx:1.25";
        await using var server = await WebhookServer.StartWithAsync(new Dictionary<string, string> { ["policies.yaml"] = PolicyYaml }, null,
            "--insecure-registry", registry.Plain.Host, "--registry-budget", "2s", "--deadline", "4s");

        var cluster = await ServeAsync(server, image);
        var check = await CheckAsync(image, "--registry", "--insecure-registry", registry.Plain.Host);

        Assert.Equal($"{image}-hardened@{registry.HardenedDigest}", cluster.Image);
        Assert.True(cluster.Allowed, cluster.Message);
        Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);
        Assert.Contains($"  rewrite: \"{image}\" -> \"{cluster.Image}\" (ClusterImagePolicy/hardened-only)", check.Lines);
        Assert.Contains("1 checked: 1 passed, 0 failed, 0 skipped", check.Lines);
        Assert.DoesNotContain("not verified offline", check.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckRegistry_TwinMissingFromRegistry_DeniesAsServeDoes()
    {
        var image = $"{registry.Plain.Host}/library/multi:1";   // multi:1-hardened was never pushed
        await using var server = await WebhookServer.StartWithAsync(new Dictionary<string, string> { ["policies.yaml"] = PolicyYaml }, null,
            "--insecure-registry", registry.Plain.Host, "--registry-budget", "2s", "--deadline", "4s");

        var cluster = await ServeAsync(server, image);
        var check = await CheckAsync(image, "--registry", "--insecure-registry", registry.Plain.Host);

        Assert.False(cluster.Allowed);
        Assert.Contains($"image \"{cluster.Image}\" is not hardened", cluster.Message, StringComparison.Ordinal);
        Assert.True(check.ExitCode == 1, check.Stdout + check.Stderr);
        // The same reason; check names the image as written, the cluster the pinned image it was given.
        Assert.Contains($"  - container \"app\": image \"{image}\" is not hardened", check.Lines);
        Assert.Contains($"  rewrite: \"{image}\" -> \"{cluster.Image}\" (ClusterImagePolicy/hardened-only)", check.Lines);
    }

    [Fact]
    public async Task Check_WithoutRegistry_AsksNoRegistryAndWarnsInsteadOfDenying()
    {
        var image = $"{registry.Plain.Host}/library/multi:1";

        var check = await CheckAsync(image);

        // Offline the twin cannot be confirmed or refuted: a warning that says so, not a denial.
        Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);
        Assert.Contains($"  warning: container \"app\": image \"{image}\" would be rewritten to \"{image}-hardened\" if its registry has it; not verified offline", check.Lines);
    }
}
