using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AdmissionGuard.Tests.Registry;
using AdmissionGuard.Tests.Webhooks;

namespace AdmissionGuard.Tests.Signatures;

/// <summary>
/// Signatures end to end: <c>serve</c> over TLS asks the real registry for what signs each digest, verifies it, and
/// admits, denies with the contract's reasons, or pins the verified digest. Expected digests come from skopeo, reasons
/// from API.md section 6.
/// </summary>
[Collection(SignatureTestGroup.Name)]
public sealed class SignatureWebhookTests(SignedRegistryFixture registry) : IAsyncLifetime
{
    public const string Slsa = "https://slsa.dev/provenance/v1";
    public const string CycloneDx = "https://cyclonedx.org/bom/v1.6";

    private WebhookServer _server = null!;

    public async Task InitializeAsync() => _server = await WebhookServer.StartWithAsync(
        new Dictionary<string, string> { ["signatures.yaml"] = Policies(registry) }, null,
        "--insecure-registry", registry.Host, "--insecure-registry", registry.HangingHost, "--registry-budget", "3s", "--deadline", "8s");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>One policy per group of fixture images (<c>team/cosign-*</c>, <c>team/bundle-*</c>, ...); <c>check</c>'s tests use them too.</summary>
    internal static string Policies(SignedRegistryFixture registry)
    {
        string Key(string name, string alg) => $"""
                    - name: {name}
                      publicKey: |
            {string.Join('\n', registry.PublicKey(alg).TrimEnd().Split('\n').Select(l => "                    " + l))}
            """;

        string Policy(string name, string images, string body) => $$"""
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: {{name}}}
            spec:
              images: {include: ["{{registry.Host}}/{{images}}"]}
              rules:
                signatures:
            {{body}}
            ---

            """;

        var all = string.Join('\n', Key("p256", "p256"), Key("p384", "p384"), Key("rsa", "rsa"), Key("ed25519", "ed25519"));
        var p256 = Key("p256", "p256");
        return Policy("cosign", "team/cosign-*", $"""
                  required: true
                  keys:
            {all}
            """)
            + Policy("bundles", "team/bundle-*", $"""
                  keys:
            {p256}
            {Key("ed25519", "ed25519")}
            """)
            + Policy("tlog", "team/tlog-*", $"""
                  transparencyLog: Require
                  keys:
            {p256}
            """)
            + Policy("attested", "team/attested-*", $"""
                  keys:
            {p256}
                  attestations:
                    - predicateType: "{Slsa}"
                    - predicateType: "{CycloneDx}"
            """)
            + Policy("optional", "team/optional-*", $"""
                  required: false
                  keys:
            {p256}
            """)
            + Policy("hardened-images", "dhi/*", $$"""
                  required: false
                  repository: "{{registry.Host}}/scout/{name}"
                  keys:
            {{p256}}
                  attestations:
                    - predicateType: "{{Slsa}}"
                    - predicateType: "{{CycloneDx}}"
            """)
            + Policy("unreachable", "team/unreach-*", $$"""
                  repository: "{{registry.HangingHost}}/{path}"
                  keys:
            {{p256}}
            """);
    }

    private static JsonObject Pod(string image) => TestObjects.Review(new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = "app", ["namespace"] = "default" },
        ["spec"] = new JsonObject { ["containers"] = new JsonArray(TestObjects.Container("app", image)) },
    });

    private async Task<JsonObject> ValidateAsync(string image) => await _server.ReviewAsync("/validate", Pod(image));

    private async Task AssertAllowedAsync(string image)
    {
        var response = await ValidateAsync(image);
        Assert.True((bool)response["allowed"]!, response.ToJsonString());
    }

    private async Task AssertDeniedAsync(string image, string reason)
    {
        var response = await ValidateAsync(image);
        Assert.False((bool)response["allowed"]!, response.ToJsonString());
        Assert.Contains($"image \"{image}\" {reason}", (string)response["status"]!["message"]!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cosign-p256")]
    [InlineData("cosign-p384")]
    [InlineData("cosign-rsa")]
    [InlineData("cosign-rsapss")]
    [InlineData("cosign-ed25519")]
    public async Task Validate_CosignTagSchemeSignedByOneOfTheKeys_Allows(string name) =>
        await AssertAllowedAsync(registry.Image(name));

    [Theory]
    [InlineData("cosign-wrongkey")]      // signed by a key the policy does not list
    [InlineData("cosign-otherdigest")]   // a valid signature of another image under this digest's tag
    [InlineData("cosign-tampered")]      // the payload changed after signing
    [InlineData("cosign-unsigned")]
    public async Task Validate_CosignSignatureThatDoesNotNameThisDigestByAListedKey_DeniesAsNotSigned(string name) =>
        await AssertDeniedAsync(registry.Image(name), "is not signed by any of [p256, p384, rsa, ed25519]");

    [Fact]
    public async Task Mutate_SignedTag_PinsTheVerifiedDigestKeepingTheTag()
    {
        var image = registry.Image("cosign-p256");

        var response = await _server.ReviewAsync("/mutate", Pod(image));

        var patch = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String((string)response["patch"]!)))!.AsArray();
        Assert.Equal($"{image}@{registry.Digest("cosign-p256")}", (string)patch.Single(op => (string)op!["op"]! == "replace")!["value"]!);
    }

    [Fact]
    public async Task Validate_TagAndDigest_IsJudgedByTheDigest()
    {
        // The tag names an unsigned image; the digest names the signed one, which is what runs.
        await AssertAllowedAsync($"{registry.Host}/team/cosign-p256:unsigned-tag@{registry.Digest("cosign-p256")}");
        await AssertDeniedAsync($"{registry.Host}/team/cosign-p256:1@{registry.Digest("cosign-unsigned")}", "is not signed by any of [p256, p384, rsa, ed25519]");
    }

    [Theory]
    [InlineData("bundle-message")]    // @sigstore/sign message signature over the manifest, P-256
    [InlineData("bundle-ed25519")]    // the same with Ed25519
    public async Task Validate_SigstoreBundleReferrerByAListedKey_Allows(string name) =>
        await AssertAllowedAsync(registry.Image(name));

    [Fact]
    public async Task Validate_TruncatedBundle_DeniesAsNotSigned() =>
        await AssertDeniedAsync(registry.Image("bundle-truncated"), "is not signed by any of [p256, ed25519]");

    [Fact]
    public async Task Validate_BundleLargerThanTheLimit_DeniesSayingSo() =>
        await AssertDeniedAsync(registry.Image("bundle-huge"), "is not signed by any of [p256, ed25519] (a signature blob is larger than 1048576 bytes)");

    [Fact]
    public async Task Validate_TenThousandReferrers_DeniesSayingSo() =>
        await AssertDeniedAsync(registry.Image("bundle-many"), "is not signed by any of [p256, ed25519] (10000 Sigstore bundles are attached, more than the 32 examined)");

    [Fact]
    public async Task Validate_TransparencyLogRequiredAndTheBundleHasAMockRekorEntry_Allows() =>
        await AssertAllowedAsync(registry.Image("tlog-logged"));

    [Fact]
    public async Task Validate_TransparencyLogRequiredAndTheBundleHasNoEntry_Denies() =>
        await AssertDeniedAsync(registry.Image("tlog-unlogged"), "is not signed by any of [p256]");

    [Theory]
    [InlineData("attested-cosign")]   // cosign .att DSSE layers, in-toto Statement v1
    [InlineData("attested-bundle")]   // @sigstore/sign DSSE bundles as referrers
    public async Task Validate_SignedAndEveryAttestationPresent_Allows(string name) =>
        await AssertAllowedAsync(registry.Image(name));

    [Fact]
    public async Task Validate_AttestationMissing_DeniesNamingThePredicateType() =>
        await AssertDeniedAsync(registry.Image("attested-missing"), $"has no signed attestation {CycloneDx}");

    [Fact]
    public async Task Validate_NotRequiredAndUnsigned_Allows() =>
        await AssertAllowedAsync(registry.Image("optional-unsigned"));

    [Fact]
    public async Task Validate_NotRequiredButSignedByAnotherKey_Denies() =>
        await AssertDeniedAsync(registry.Image("optional-wrongkey"), "is not signed by any of [p256]");

    [Fact]
    public async Task Validate_HardenedImageLayoutWithAttestationsInAnotherRepository_Allows() =>
        await AssertAllowedAsync(registry.Image("dhi/app"));

    [Fact]
    public async Task Validate_HardenedImageLayoutMissingAnAttestation_Denies() =>
        await AssertDeniedAsync(registry.Image("dhi/noatt"), $"has no signed attestation {Slsa}");

    [Fact]
    public async Task Validate_SignatureRegistryHangs_SaysNotCheckedYetThenUnreachable()
    {
        var image = registry.Image("unreach-app");

        await AssertDeniedAsync(image, "signature could not be checked yet");

        // The request times out in the background (5s); the next admission reads the failure.
        string? last = null;
        var changed = await TestTools.EventuallyAsync(() =>
        {
            var response = ValidateAsync(image).GetAwaiter().GetResult();
            last = (string?)response["status"]?["message"];
            return last?.Contains("signature could not be checked: its registry is unreachable or refused access", StringComparison.Ordinal) == true;
        }, TimeSpan.FromSeconds(40));
        Assert.True(changed, last);
    }

    [Fact]
    public async Task Metrics_AfterVerifications_CountsOutcomes()
    {
        await AssertAllowedAsync(registry.Image("cosign-p256"));
        await AssertDeniedAsync(registry.Image("cosign-unsigned"), "is not signed by any of [p256, p384, rsa, ed25519]");

        // The exporter reads the counters on scrape; the count is in once the verification finished, which it has.
        string text = "";
        var both = await TestTools.EventuallyAsync(() =>
        {
            text = _server.Client.GetStringAsync("/metrics").GetAwaiter().GetResult();
            return Regex.IsMatch(text, """^admissionguard_image_signatures_total\{[^}]*outcome="verified"[^}]*\} [1-9]""", RegexOptions.Multiline)
                && Regex.IsMatch(text, """^admissionguard_image_signatures_total\{[^}]*outcome="unsigned"[^}]*\} [1-9]""", RegexOptions.Multiline);
        }, TimeSpan.FromSeconds(20));

        Assert.True(both, text);
    }
}
