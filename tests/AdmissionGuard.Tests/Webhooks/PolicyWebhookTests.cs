using System.Net;
using System.Text.Json.Nodes;

namespace AdmissionGuard.Tests.Webhooks;

/// <summary>
/// <c>/validate-policy</c> over real HTTPS, as the API server calls it for our own kinds: a policy that does not compile
/// is rejected with kubectl-style field errors; what compiles, and what is not ours, is allowed.
/// </summary>
[Collection(WebhookTestGroup.Name)]
public sealed class PolicyWebhookTests(WebhookServer server)
{
    private static JsonObject Policy(string rules = """{"tags":{"disallowed":["latest"]}}""", string mode = "Enforce") => JsonNode.Parse($$"""
        {
          "apiVersion": "admissionguard.io/v1alpha1",
          "kind": "ClusterImagePolicy",
          "metadata": {"name": "team", "uid": "0b5c3d4e-1111-4a2b-9c8d-000000000001", "generation": 1},
          "spec": {
            "mode": "{{mode}}",
            "match": {"namespaces": ["payments-*"]},
            "rules": {{rules}}
          }
        }
        """)!.AsObject();

    private static string Message(JsonObject response) => (string)response["status"]!["message"]!;

    [Fact]
    public async Task ValidatePolicy_CompilingClusterImagePolicy_IsAllowed()
    {
        var policy = Policy("""{"hardened":{"required":true,"sources":["docker-hardened-images"]},"tags":{"disallowed":["latest","*-rc*"]},"scan":{"minGrade":"B","maxAge":"168h"}}""");

        var response = await server.ReviewAsync("/validate-policy", TestObjects.Review(policy));

        Assert.True((bool)response["allowed"]!, response.ToJsonString());
        Assert.Null(response["status"]);
        Assert.Null(response["warnings"]);
    }

    [Fact]
    public async Task ValidatePolicy_DisallowedTagsAsAString_DeniesWithTheFieldError()
    {
        var response = await server.ReviewAsync("/validate-policy", TestObjects.Review(Policy("""{"tags":{"disallowed":"latest"}}""")));

        Assert.False((bool)response["allowed"]!);
        Assert.Equal(400, (int)response["status"]!["code"]!);
        Assert.Equal("Invalid", (string?)response["status"]!["reason"]);
        Assert.Equal("ClusterImagePolicy/team: spec.rules.tags.disallowed: expected a list of strings", Message(response));
    }

    [Fact]
    public async Task ValidatePolicy_UnsupportedModeAndOtherErrors_DeniesNamingEveryError()
    {
        var policy = Policy("""{"scan":{"minGrade":"Z"}}""", mode: "Enforced");

        var response = await server.ReviewAsync("/validate-policy", TestObjects.Review(policy));

        Assert.False((bool)response["allowed"]!);
        var message = Message(response);
        Assert.StartsWith("ClusterImagePolicy/team: ", message, StringComparison.Ordinal);
        Assert.Contains("spec.mode: \"Enforced\" is not one of Enforce, Warn, Audit; did you mean \"Enforce\"?", message, StringComparison.Ordinal);
        Assert.Contains("; spec.rules.scan.minGrade: \"Z\" is not one of A, B, C, D, E, F", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidatePolicy_UnknownField_DeniesWithDidYouMean()
    {
        var response = await server.ReviewAsync("/validate-policy", TestObjects.Review(Policy("""{"tags":{"disalowed":["latest"]}}""")));

        Assert.False((bool)response["allowed"]!);
        Assert.Equal("ClusterImagePolicy/team: spec.rules.tags.disalowed: unknown field \"disalowed\"; did you mean \"disallowed\"?", Message(response));
    }

    [Fact]
    public async Task ValidatePolicy_SourceNotThereYet_IsAllowedWithAWarning()
    {
        var policy = Policy("""{"hardened":{"required":true,"sources":["docker-hardened-images","not-applied-yet"]}}""");

        var response = await server.ReviewAsync("/validate-policy", TestObjects.Review(policy));

        Assert.True((bool)response["allowed"]!, response.ToJsonString());
        var warning = Assert.Single(response["warnings"]!.AsArray());
        Assert.Equal("spec.rules.hardened.sources[1]: HardenedImageSource \"not-applied-yet\" does not exist or is invalid; until it is there, so is this policy", (string?)warning);
    }

    [Fact]
    public async Task ValidatePolicy_InvalidHardenedImageSource_DeniesWithItsErrors()
    {
        var source = JsonNode.Parse("""
            {"apiVersion": "admissionguard.io/v1alpha1", "kind": "HardenedImageSource", "metadata": {"name": "broken"},
             "spec": {"hardened": [], "mappings": [{"from": "docker.io/library/*", "to": "dhi.io/{nam}:{tag}"}]}}
            """)!.AsObject();

        var response = await server.ReviewAsync("/validate-policy", TestObjects.Review(source));

        Assert.False((bool)response["allowed"]!);
        var message = Message(response);
        Assert.StartsWith("HardenedImageSource/broken: spec.hardened: must list at least one pattern; spec.mappings[0].to: ", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidatePolicy_NamespacedImagePolicyWithoutExceptionExpiry_Denies()
    {
        var policy = Policy();
        policy["kind"] = "ImagePolicy";
        policy["metadata"]!["namespace"] = "payments";
        policy["spec"]!["exceptions"] = JsonNode.Parse("""[{"images": ["docker.io/bitnami/legacy:*"], "reason": "SEC-123"}]""");

        var response = await server.ReviewAsync("/validate-policy", TestObjects.Review(policy));

        Assert.False((bool)response["allowed"]!);
        Assert.Equal("ImagePolicy/team: spec.exceptions[0].expires: required: an exception must end", Message(response));
    }

    [Fact]
    public async Task ValidatePolicy_UpdateLeavingAnInvalidSpecUnchanged_IsAllowedSoItCanBeTidiedAndDeleted()
    {
        var invalid = Policy("""{"tags":{"disallowed":"latest"}}""");
        var labelled = invalid.DeepClone().AsObject();
        labelled["metadata"]!["labels"] = new JsonObject { ["team"] = "payments" };

        var unchanged = await server.ReviewAsync("/validate-policy", TestObjects.Review(labelled, operation: "UPDATE", oldObject: invalid));
        var edited = await server.ReviewAsync("/validate-policy", TestObjects.Review(Policy("""{"tags":{"disallowed":7}}"""), operation: "UPDATE", oldObject: invalid));

        Assert.True((bool)unchanged["allowed"]!, unchanged.ToJsonString());
        Assert.False((bool)edited["allowed"]!);
        Assert.Contains("spec.rules.tags.disallowed: expected a list of strings", Message(edited), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidatePolicy_PodOrDelete_IsAllowedUntouched()
    {
        var pod = await server.ReviewAsync("/validate-policy", TestObjects.Review(TestObjects.Load("Pod", image: "nginx:latest")));
        var delete = await server.ReviewAsync("/validate-policy", TestObjects.Review(Policy("""{"tags":{"disallowed":"latest"}}"""), operation: "DELETE"));

        Assert.True((bool)pod["allowed"]!);
        Assert.Null(pod["patch"]);
        Assert.Null(pod["status"]);
        Assert.True((bool)delete["allowed"]!);
    }

    [Theory]
    [InlineData("this is not JSON {")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"u1","operation":"CREATE"}}""")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}""")]
    public async Task ValidatePolicy_NotAnAdmissionReview_GetsTheSame400AsValidate(string body)
    {
        using var policy = await server.PostAsync("/validate-policy", body);
        using var validate = await server.PostAsync("/validate", body);

        Assert.Equal(HttpStatusCode.BadRequest, policy.StatusCode);
        Assert.Equal(await validate.Content.ReadAsStringAsync(), await policy.Content.ReadAsStringAsync());
        Assert.DoesNotContain("Exception", await policy.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidatePolicy_WrongContentType_Gets415()
    {
        using var response = await server.PostAsync("/validate-policy", "{}", contentType: "text/plain");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }
}
