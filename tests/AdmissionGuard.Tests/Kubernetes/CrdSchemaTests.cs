using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AdmissionGuard.Kubernetes;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Tests.Kubernetes;

/// <summary>
/// The chart's CRD schemas applied as the API server applies them. Expected texts are written from apimachinery's
/// field error wording and kube-openapi's messages (see <see cref="CrdSchema"/>), not produced by the component.
/// </summary>
public sealed class CrdSchemaTests
{
    private const string Group = "admissionguard.io";

    [Fact]
    public void Chart_EveryCrd_LoadsWithItsRules()
    {
        Assert.Equal(["ClusterImagePolicy", "HardenedImageSource", "ImagePolicy", "ImageScan"], CrdSchema.Chart.Select(s => s.Kind).Order(StringComparer.Ordinal));
        Assert.True(CrdSchema.Chart.Single(s => s.Kind == "ImagePolicy").Namespaced);
        Assert.Equal(["ClusterImagePolicy", "HardenedImageSource", "ImagePolicy"], CrdSchema.Chart.Where(s => s.StatusSubresource).Select(s => s.Kind).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Admit_EveryExamplePolicyAndScan_ValidAndNothingPruned()
    {
        var set = new List<JsonObject>();
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Examples, "policies")).Concat(Directory.GetFiles(Path.Combine(RepoPaths.Examples, "scans"))))
        {
            foreach (var document in YamlDocuments.Read(File.ReadAllText(file)))
            {
                using (document)
                {
                    set.Add(JsonNode.Parse(document.RootElement.GetRawText())!.AsObject());
                }
            }
        }

        Assert.True(set.Count >= 4);
        foreach (var obj in set.Where(o => (string?)o["apiVersion"] == $"{Group}/v1alpha1"))
        {
            var outcome = Schema((string)obj["kind"]!).Admit(obj);
            Assert.True(outcome.Valid, $"{obj["metadata"]!["name"]}: {string.Join("; ", outcome.Errors)}");
            Assert.Empty(outcome.Pruned);
        }
    }

    [Fact]
    public void Admit_UnsupportedMode_NotSupportedWithTheServersWordingAndCelSkipped()
    {
        var policy = Policy("""{"mode":"X","rules":{"tags":{"disallowed":["latest"]}}}""");

        var outcome = Schema("ClusterImagePolicy").Admit(policy);

        Assert.Equal(
            """ClusterImagePolicy.admissionguard.io "p" is invalid: [spec.mode: Unsupported value: "X": supported values: "Enforce", "Warn", "Audit", <nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]""",
            FieldError.InvalidMessage("ClusterImagePolicy", Group, "p", outcome.Errors));
        Assert.Equal(("FieldValueNotSupported", "spec.mode"), (outcome.Errors[0].Type, outcome.Errors[0].Path));
    }

    [Fact]
    public void Admit_MinimalPolicy_DefaultsTopDown()
    {
        var policy = Policy("""{"rules":{"scan":{"minGrade":"B"},"tags":{}},"rewrite":{}}""");

        Assert.True(Schema("ClusterImagePolicy").Admit(policy).Valid);

        var spec = policy["spec"]!;
        Assert.Equal("Enforce", (string?)spec["mode"]);
        // images has default {} and its include default ["**"]: defaulting goes on into what it defaulted.
        Assert.Equal("""{"include":["**"]}""", spec["images"]!.ToJsonString());
        Assert.Equal("Deny", (string?)spec["rules"]!["scan"]!["onMissing"]);
        Assert.False((bool)spec["rules"]!["tags"]!["requireDigest"]!);
        Assert.Equal("""{"enabled":false,"pinDigest":false,"target":"Pods"}""", spec["rewrite"]!.ToJsonString());
        // No default on match or exceptions: absent stays absent.
        Assert.Null(spec["match"]);
    }

    [Fact]
    public void Admit_UnknownFields_PrunedAndReportedButMapsAndMetadataKept()
    {
        var policy = Policy("""{"mode":"Audit","colour":"red","match":{"namespaceSelector":{"matchLabels":{"env":"prod"}}},"rules":{"tags":{"disallowed":["latest"],"bogus":1}}}""");
        policy["metadata"]!["labels"] = new JsonObject { ["team"] = "a" };
        policy["extra"] = true;

        var outcome = Schema("ClusterImagePolicy").Admit(policy);

        Assert.True(outcome.Valid);
        Assert.Equal(["extra", "spec.colour", "spec.rules.tags.bogus"], outcome.Pruned.Order(StringComparer.Ordinal));
        Assert.Null(policy["spec"]!["colour"]);
        Assert.Equal("prod", (string?)policy["spec"]!["match"]!["namespaceSelector"]!["matchLabels"]!["env"]);
        Assert.Equal("a", (string?)policy["metadata"]!["labels"]!["team"]);
    }

    [Fact]
    public void Admit_NonBlockingViolations_EachWordedAsTheServerAndRulesStillRun()
    {
        var policy = Policy("""
            {"rules":{"scan":{"maxAge":"1d","maxHigh":-1},"hardened":{"required":true}},
             "exceptions":[{"images":["docker.io/x/*"],"expires":"2027-01-01T00:00:00Z","reason":" "}]}
            """);

        var errors = Schema("ClusterImagePolicy").Admit(policy).Errors.Select(e => e.ToString());

        string[] expected =
        [
            """spec.rules.scan.maxAge: Invalid value: "1d": spec.rules.scan.maxAge in body should match '^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$'""",
            "spec.rules.scan.maxHigh: Invalid value: -1: spec.rules.scan.maxHigh in body should be greater than or equal to 0",
            """spec.exceptions[0].reason: Invalid value: " ": spec.exceptions[0].reason in body should match '\S'""",
            """spec.rules.hardened.sources: Invalid value: "object": required: true needs at least one source, otherwise no image can ever count as hardened""",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), errors.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Admit_PinOnlyPolicyWithoutHardenedRule_IsStored()
    {
        // Without rules.hardened a policy rewrites with every HardenedImageSource, as in local mode; a policy that only
        // pins tags to digests is written this way.
        var policy = Policy("""{"rules":{"tags":{"requireDigest":true}},"rewrite":{"enabled":true,"pinDigest":true}}""");

        var result = Schema("ClusterImagePolicy").Admit(policy);

        Assert.True(result.Valid, string.Join("; ", result.Errors));
    }

    [Fact]
    public void Admit_RewriteWithHardenedRuleWithoutSources_CelRuleAtItsFieldPath()
    {
        var policy = Policy("""{"rewrite":{"enabled":true},"rules":{"hardened":{"required":false}}}""");

        var error = Assert.Single(Schema("ClusterImagePolicy").Admit(policy).Errors);

        Assert.Equal(
            """spec.rewrite.enabled: Invalid value: "object": rewrite.enabled with rules.hardened needs rules.hardened.sources: rewriting uses the mappings of those HardenedImageSources (without rules.hardened it uses every HardenedImageSource)""",
            error.ToString());
        Assert.Equal("FieldValueInvalid", error.Type);
    }

    [Fact]
    public void Admit_BlockingViolations_TypeRequiredTooLongTooMany()
    {
        var policy = Policy($$$"""
            {"rules":{"tags":{"disallowed":"latest"},"hardened":{"sources":[{{{string.Join(",", Enumerable.Range(0, 33).Select(i => $"\"s{i}\""))}}}]}},
             "exceptions":[{"images":["docker.io/x/*"],"expires":"tomorrow","reason":"{{{new string('r', 1025)}}}"},{"images":[]}]}
            """);

        var errors = Schema("ClusterImagePolicy").Admit(policy).Errors.Select(e => e.ToString()).ToHashSet(StringComparer.Ordinal);

        Assert.Contains("""spec.rules.tags.disallowed: Invalid value: "string": spec.rules.tags.disallowed in body must be of type array: "string" """.TrimEnd(), errors);
        Assert.Contains("spec.rules.hardened.sources: Too many: 33: must have at most 32 items", errors);
        Assert.Contains("spec.exceptions[0].reason: Too long: may not be more than 1024 bytes", errors);
        Assert.Contains("""spec.exceptions[0].expires: Invalid value: "tomorrow": spec.exceptions[0].expires in body must be of type date-time: "tomorrow" """.TrimEnd(), errors);
        Assert.Contains("spec.exceptions[1].expires: Required value", errors);
        Assert.Contains("spec.exceptions[1].reason: Required value", errors);
        Assert.Contains("spec.exceptions[1].images: Invalid value: 0: spec.exceptions[1].images in body should have at least 1 items", errors);
        Assert.Contains("<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation", errors);
    }

    [Fact]
    public void Admit_ImageScanNamedAfterAnotherDigest_RootRuleWithKubernetesStringFunctions()
    {
        const string Digest = "sha256:1e19569fea08c6de312a4862d532eb7007b3098b4110eeaa22f34333358f0b78";
        JsonObject Scan(string name) => JsonNode.Parse($$$"""
            {"apiVersion":"admissionguard.io/v1alpha1","kind":"ImageScan","metadata":{"name":"{{{name}}}"},
             "spec":{"image":"docker.io/library/nginx:1.25","digest":"{{{Digest}}}","scannedAt":"2026-11-20T10:00:00Z","vulnerabilities":{"critical":0,"high":1}} }
            """)!.AsObject();

        Assert.True(Schema("ImageScan").Admit(Scan("sha256-1e19569fea08c6de312a4862d532eb7007b3098b")).Valid);
        var error = Assert.Single(Schema("ImageScan").Admit(Scan("sha256-0000")).Errors);

        Assert.StartsWith("""<nil>: Invalid value: "object": the name must be the digest algorithm, '-' and the first 40 hex digits""", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FakeServer_CreateInvalidPolicy_422StatusWithCausesAndNothingStored()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        using var client = HttpClientFor(server);

        using var response = await client.PostAsync(new Uri(ResourcePath.ClusterImagePolicies.Collection, UriKind.Relative),
            new StringContent(Policy("""{"mode":"X"}""").ToJsonString(), Encoding.UTF8, "application/json"));
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal((HttpStatusCode)422, response.StatusCode);
        Assert.Equal(("Failure", "Invalid", 422), ((string?)status["status"], (string?)status["reason"], (int)status["code"]!));
        Assert.StartsWith("""ClusterImagePolicy.admissionguard.io "p" is invalid: [spec.mode: Unsupported value: "X": supported values: "Enforce", "Warn", "Audit", """,
            (string?)status["message"], StringComparison.Ordinal);
        Assert.Equal(("p", Group, "ClusterImagePolicy"), ((string?)status["details"]!["name"], (string?)status["details"]!["group"], (string?)status["details"]!["kind"]));
        var cause = status["details"]!["causes"]![0]!;
        Assert.Equal(("FieldValueNotSupported", "spec.mode", """Unsupported value: "X": supported values: "Enforce", "Warn", "Audit" """.TrimEnd()),
            ((string?)cause["reason"], (string?)cause["field"], (string?)cause["message"]));
        Assert.Null(server.Get(ResourcePath.ClusterImagePolicies.Collection, "p"));
    }

    [Fact]
    public async Task FakeServer_PatchIntoInvalid_422AndStoredObjectUnchanged_UnknownFieldWarnedAndPruned()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        var stored = server.Apply(ResourcePath.ClusterImagePolicies.Collection, Policy("""{"mode":"Audit"}""").ToJsonString());
        Assert.Equal("""{"include":["**"]}""", stored["spec"]!["images"]!.ToJsonString());
        using var client = HttpClientFor(server);

        using var invalid = await client.PatchAsync(new Uri(ResourcePath.ClusterImagePolicies.Collection + "/p", UriKind.Relative),
            new StringContent("""{"spec":{"rules":{"scan":{"maxAge":"1d"}}}}""", Encoding.UTF8, "application/merge-patch+json"));
        using var unknown = await client.PatchAsync(new Uri(ResourcePath.ClusterImagePolicies.Collection + "/p", UriKind.Relative),
            new StringContent("""{"spec":{"colour":"red"}}""", Encoding.UTF8, "application/merge-patch+json"));

        Assert.Equal((HttpStatusCode)422, invalid.StatusCode);
        Assert.Contains("""spec.rules.scan.maxAge: Invalid value: "1d": spec.rules.scan.maxAge in body should match""", (string?)JsonNode.Parse(await invalid.Content.ReadAsStringAsync())!["message"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        Assert.Equal("""299 - "unknown field \"spec.colour\"" """.TrimEnd(), Assert.Single(unknown.Headers.GetValues("Warning")));
        var now = server.Get(ResourcePath.ClusterImagePolicies.Collection, "p")!;
        Assert.Null(now["spec"]!["rules"]);
        Assert.Null(now["spec"]!["colour"]);
        // Pruned to what was stored: a no-op write, no new resourceVersion.
        Assert.Equal((string?)stored["metadata"]!["resourceVersion"], (string?)now["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public async Task FakeServer_ApplyInvalid_ThrowsWithTheServersMessage()
    {
        await using var server = await FakeKubeApiServer.StartAsync();

        var error = Assert.Throws<InvalidOperationException>(() => server.Apply(ResourcePath.ClusterImagePolicies.Collection, Policy("""{"rewrite":{"enabled":true},"rules":{"hardened":{"sources":[]}}}""").ToJsonString()));

        Assert.StartsWith("""ClusterImagePolicy.admissionguard.io "p" is invalid: spec.rewrite.enabled: Invalid value: "object": """, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FakeServer_UnknownFieldUnderStrictValidation_400StrictDecodingErrorAndKubectlApplyRefusesIt()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        using var client = HttpClientFor(server);

        using var strict = await client.PostAsync(new Uri(ResourcePath.ClusterImagePolicies.Collection + "?fieldValidation=Strict", UriKind.Relative),
            new StringContent(Policy("""{"rules":{"tags":{"disalowed":["latest"]}}}""").ToJsonString(), Encoding.UTF8, "application/json"));
        var applied = Assert.Throws<InvalidOperationException>(() => server.Apply(ResourcePath.ClusterImagePolicies.Collection, Policy("""{"colour":"red"}""").ToJsonString()));

        Assert.Equal(HttpStatusCode.BadRequest, strict.StatusCode);
        Assert.Equal("""ClusterImagePolicy in version "v1alpha1" cannot be handled as a ClusterImagePolicy: strict decoding error: unknown field "spec.rules.tags.disalowed" """.TrimEnd(),
            (string?)JsonNode.Parse(await strict.Content.ReadAsStringAsync())!["message"]);
        Assert.EndsWith("""strict decoding error: unknown field "spec.colour" """.TrimEnd(), applied.Message, StringComparison.Ordinal);
        Assert.Null(server.Get(ResourcePath.ClusterImagePolicies.Collection, "p"));
    }

    private static CrdSchema Schema(string kind) => CrdSchema.Chart.Single(s => s.Kind == kind);

    private static JsonObject Policy(string spec) => JsonNode.Parse($$"""
        {"apiVersion":"admissionguard.io/v1alpha1","kind":"ClusterImagePolicy","metadata":{"name":"p"},"spec":{{spec}}}
        """)!.AsObject();

    private static HttpClient HttpClientFor(FakeKubeApiServer server)
    {
#pragma warning disable CA2000 // the client owns the handler
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, chain, _) =>
            {
                chain!.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(server.Ca);
                return chain.Build(certificate!);
            },
        };
#pragma warning restore CA2000
        var client = new HttpClient(handler) { BaseAddress = server.BaseUri };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", FakeKubeApiServer.Token);
        return client;
    }
}
