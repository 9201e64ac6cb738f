using System.Text.Json.Nodes;
using System.Xml.Linq;
using AdmissionGuard.Tests.Commands;
using AdmissionGuard.Tests.Registry;
using AdmissionGuard.Tests.Webhooks;

namespace AdmissionGuard.Tests.Signatures;

/// <summary>
/// <c>check --registry</c> verifies signatures as <c>serve</c> does: the built executable against the real registry of
/// <see cref="SignedRegistryFixture"/> (signatures by openssl and @sigstore/*), on the very policies the webhook's
/// signature tests serve. Reasons are API.md section 6's, read from every output format.
/// </summary>
[Collection(SignatureTestGroup.Name)]
public sealed class CheckSignatureTests(SignedRegistryFixture registry) : IDisposable
{
    private const string AllKeys = "is not signed by any of [p256, p384, rsa, ed25519]";
    private const string Unreachable = "signature could not be checked: its registry is unreachable or refused access";

    private readonly string _temp = Directory.CreateTempSubdirectory("ag-check-signatures-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string[] RegistryFlags(string timeout = "10s") =>
        ["--registry", "--insecure-registry", registry.Host, "--insecure-registry", registry.HangingHost, "--registry-timeout", timeout];

    /// <summary>One Pod per image (<c>app-0</c>, <c>app-1</c>, ...) in one file, checked against the webhook tests' policies.</summary>
    private async Task<AdmissionGuardProcess.Result> CheckAsync(string[] images, params string[] args)
    {
        var policies = Path.Combine(_temp, "policies");
        Directory.CreateDirectory(policies);
        await File.WriteAllTextAsync(Path.Combine(policies, "signatures.yaml"), SignatureWebhookTests.Policies(registry));
        var pods = Path.Combine(_temp, "pods.yaml");
        await File.WriteAllTextAsync(pods, string.Join("---\n", images.Select((image, i) =>
            $"apiVersion: v1\nkind: Pod\nmetadata: {{name: app-{i}, namespace: default}}\nspec:\n  containers:\n    - {{name: app, image: \"{image}\"}}\n")));
        return await AdmissionGuardProcess.RunAsync(null, ["check", "-f", pods, "--policies", policies, .. args]);
    }

    [Theory]
    [InlineData("cosign-p256")]       // cosign .sig by openssl, P-256
    [InlineData("cosign-ed25519")]    // the same with Ed25519 (BouncyCastle)
    [InlineData("bundle-message")]    // @sigstore/sign message signature as a referrer
    [InlineData("attested-bundle")]   // @sigstore/sign DSSE attestations
    [InlineData("attested-cosign")]   // cosign .att
    [InlineData("dhi/app")]           // attestations kept in another repository
    public async Task CheckRegistry_SignedImage_Exits0AndPinsTheVerifiedDigest(string name)
    {
        var image = registry.Image(name);

        var check = await CheckAsync([image], RegistryFlags());

        Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);
        Assert.Contains("1 checked: 1 passed, 0 failed, 0 skipped", check.Lines);
        // The digest skopeo reported for the pushed image, as /mutate pins it.
        Assert.Contains(check.Lines, l => l.StartsWith($"  rewrite: \"{image}\" -> \"{image}@{registry.Digest(name)}\"", StringComparison.Ordinal));
        Assert.DoesNotContain("not evaluated offline", check.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cosign-unsigned", AllKeys)]
    [InlineData("cosign-wrongkey", AllKeys)]
    [InlineData("cosign-tampered", AllKeys)]
    [InlineData("attested-missing", "has no signed attestation https://cyclonedx.org/bom/v1.6")]
    [InlineData("bundle-many", "is not signed by any of [p256, ed25519] (10000 Sigstore bundles are attached, more than the 32 examined)")]
    public async Task CheckRegistry_NotSignedAsRequired_Exits1WithTheReason(string name, string reason)
    {
        var image = registry.Image(name);

        var check = await CheckAsync([image], RegistryFlags());

        Assert.True(check.ExitCode == 1, check.Stdout + check.Stderr);
        Assert.Contains($"  - container \"app\": image \"{image}\" {reason}", check.Lines);
        Assert.Contains("1 checked: 0 passed, 1 failed, 0 skipped", check.Lines);
    }

    [Fact]
    public async Task CheckRegistry_WrongKey_GivesTheReasonInJsonSarifAndJUnit()
    {
        var image = registry.Image("cosign-wrongkey");
        var line = $"container \"app\": image \"{image}\" {AllKeys}";

        var json = await CheckAsync([image], [.. RegistryFlags(), "--output", "json"]);
        var sarif = await CheckAsync([image], [.. RegistryFlags(), "--output", "sarif"]);
        var junit = await CheckAsync([image], [.. RegistryFlags(), "--output", "junit"]);

        Assert.True(json.ExitCode == 1 && sarif.ExitCode == 1 && junit.ExitCode == 1, json.Stdout + sarif.Stdout + junit.Stdout + json.Stderr);
        var violation = JsonNode.Parse(json.Stdout)!["workloads"]![0]!["images"]![0]!["violations"]![0]!;
        Assert.Equal("signatures", (string)violation["rule"]!);
        Assert.Equal(AllKeys, (string)violation["reason"]!);
        Assert.Equal("ClusterImagePolicy/cosign", (string)violation["policy"]!);

        var run = JsonNode.Parse(sarif.Stdout)!["runs"]![0]!;
        var result = run["results"]!.AsArray().Single()!;
        Assert.Equal("signatures", (string)result["ruleId"]!);
        Assert.Equal("error", (string)result["level"]!);
        Assert.Contains(line, (string)result["message"]!["text"]!, StringComparison.Ordinal);
        var rule = run["tool"]!["driver"]!["rules"]!.AsArray().Single(r => (string)r!["id"]! == "signatures")!;
        Assert.NotEqual("signatures", (string)rule["shortDescription"]!["text"]!);

        var failure = XDocument.Parse(junit.Stdout).Descendants("failure").Single();
        Assert.Equal("denied", (string)failure.Attribute("type")!);
        Assert.Contains(line, (string)failure.Attribute("message")!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckRegistry_SignatureRegistryHangs_Exits1SayingUnreachableAfterTheTimeout()
    {
        // Signatures of team/unreach-* live on a port that accepts and never answers.
        var image = registry.Image("unreach-app");

        var check = await CheckAsync([image], RegistryFlags(timeout: "2s"));

        Assert.True(check.ExitCode == 1, check.Stdout + check.Stderr);
        Assert.Contains($"  - container \"app\": image \"{image}\" {Unreachable}", check.Lines);
        Assert.DoesNotContain("could not be checked yet", check.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckRegistry_ImageRegistryDown_Exits1SayingUnreachable()
    {
        // Nothing listens there: the tag cannot be resolved, so no digest can be verified.
        var down = $"127.0.0.1:{TestTools.FreePort()}";
        var image = $"{down}/team/cosign-p256:1";
        var policies = SignatureWebhookTests.Policies(registry).Replace($"{registry.Host}/team/cosign-*", $"{down}/team/cosign-*", StringComparison.Ordinal);
        var folder = Path.Combine(_temp, "down");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "signatures.yaml"), policies);
        var pod = Path.Combine(_temp, "pod.yaml");
        await File.WriteAllTextAsync(pod, $"apiVersion: v1\nkind: Pod\nmetadata: {{name: app}}\nspec:\n  containers:\n    - {{name: app, image: \"{image}\"}}\n");

        var check = await AdmissionGuardProcess.RunAsync(null, "check", "-f", pod, "--policies", folder, "--registry", "--insecure-registry", down, "--registry-timeout", "2s");

        Assert.True(check.ExitCode == 1, check.Stdout + check.Stderr);
        Assert.Contains($"  - container \"app\": image \"{image}\" {Unreachable}", check.Lines);
    }

    [Fact]
    public async Task CheckRegistry_TwinRegistryHangs_Exits1SayingUnreachableNotYet()
    {
        // The same rule for twins: an answer that never comes within --registry-timeout is a failed lookup for CI.
        var image = $"{registry.HangingHost}/library/nginx:1.25";
        var folder = Path.Combine(_temp, "twins");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "policies.yaml"), $$"""
            apiVersion: admissionguard.io/v1alpha1
            kind: HardenedImageSource
            metadata: {name: hanging}
            spec:
              hardened: ["**:*-hardened"]
              mappings:
                - {from: "{{registry.HangingHost}}/**", to: "{repository}:{tag}-hardened"}
              verifyExists: true
            ---
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: hardened-only}
            spec:
              rules:
                hardened: {required: true, sources: [hanging]}
            """);
        var pod = Path.Combine(_temp, "pod.yaml");
        await File.WriteAllTextAsync(pod, $"apiVersion: v1\nkind: Pod\nmetadata: {{name: app}}\nspec:\n  containers:\n    - {{name: app, image: \"{image}\"}}\n");

        var check = await AdmissionGuardProcess.RunAsync(null, ["check", "-f", pod, "--policies", folder, .. RegistryFlags(timeout: "2s")]);

        Assert.True(check.ExitCode == 1, check.Stdout + check.Stderr);
        Assert.Contains($"  - container \"app\": image \"{image}\" is not hardened; its hardened twin \"{image}-hardened\" could not be verified: its registry is unreachable or refused access", check.Lines);
    }

    [Fact]
    public async Task CheckRegistry_KeyInASecret_DeniesSayingTheSecretCannotBeRead()
    {
        // check has no cluster: a secretRef key is never silently skipped, even for an image another key would verify.
        var image = registry.Image("cosign-p256");
        var folder = Path.Combine(_temp, "secret-key");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "policy.yaml"), $$"""
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: secret-key}
            spec:
              images: {include: ["{{registry.Host}}/team/cosign-*"]}
              rules:
                signatures:
                  keys:
                    - name: team
                      secretRef: {namespace: admission-guard, name: team-cosign, key: cosign.pub}
            """);
        var pod = Path.Combine(_temp, "pod.yaml");
        await File.WriteAllTextAsync(pod, $"apiVersion: v1\nkind: Pod\nmetadata: {{name: app}}\nspec:\n  containers:\n    - {{name: app, image: \"{image}\"}}\n");

        var check = await AdmissionGuardProcess.RunAsync(null, ["check", "-f", pod, "--policies", folder, .. RegistryFlags()]);

        Assert.True(check.ExitCode == 1, check.Stdout + check.Stderr);
        Assert.Contains($"  - container \"app\": image \"{image}\" is not signed by any of [team] (key team: key Secret admission-guard/team-cosign[cosign.pub] cannot be read without a cluster)", check.Lines);
    }

    [Fact]
    public async Task Check_WithoutRegistry_SaysNotEvaluatedAndExitsByTheOtherRules()
    {
        string[] images = [registry.Image("cosign-unsigned"), registry.Image("cosign-p256")];

        var check = await CheckAsync(images);

        // Offline nothing is fetched: the unsigned image is not denied for it, nor is the signed one verified.
        Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);
        foreach (var image in images)
        {
            Assert.Contains($"  warning: container \"app\": image \"{image}\" signatures were not evaluated offline (check --registry verifies them) (ClusterImagePolicy/cosign)", check.Lines);
        }

        Assert.Contains("2 checked: 2 passed, 0 failed, 0 skipped", check.Lines);
    }

    [Fact]
    public async Task CheckRegistry_ManyImages_AgreesWithServeOnEveryOne()
    {
        string[] names =
        [
            "cosign-p256", "cosign-p384", "cosign-rsa", "cosign-rsapss", "cosign-otherdigest", "cosign-unsigned", "bundle-ed25519", "bundle-truncated",
            "bundle-huge", "tlog-logged", "tlog-unlogged", "optional-unsigned", "optional-wrongkey", "dhi/noatt",
        ];
        var images = names.Select(registry.Image).ToArray();
        await using var server = await WebhookServer.StartWithAsync(
            new Dictionary<string, string> { ["signatures.yaml"] = SignatureWebhookTests.Policies(registry) }, null,
            "--insecure-registry", registry.Host, "--registry-budget", "5s", "--deadline", "8s");

        var check = await CheckAsync(images, [.. RegistryFlags(), "--output", "json"]);

        var workloads = JsonNode.Parse(check.Stdout)!["workloads"]!.AsArray();
        Assert.Equal(images.Length, workloads.Count);
        for (var i = 0; i < images.Length; i++)
        {
            var validated = await server.ReviewAsync("/validate", Pod(images[i]));
            var checkedOne = workloads.Single(w => (string)w!["name"]! == $"app-{i}")!;
            var reasons = checkedOne["images"]![0]!["violations"]!.AsArray().Select(v => (string)v!["reason"]!).ToList();
            Assert.True((bool)validated["allowed"]! == (bool)checkedOne["allowed"]!, $"{names[i]}: serve {validated.ToJsonString()}, check {checkedOne.ToJsonString()}");
            foreach (var reason in reasons)
            {
                Assert.Contains($"image \"{images[i]}\" {reason}", (string?)validated["status"]?["message"] ?? "", StringComparison.Ordinal);
            }
        }

        Assert.Equal(1, check.ExitCode);
    }

    private static JsonObject Pod(string image) => TestObjects.Review(new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = "app", ["namespace"] = "default" },
        ["spec"] = new JsonObject { ["containers"] = new JsonArray(TestObjects.Container("app", image)) },
    });
}
