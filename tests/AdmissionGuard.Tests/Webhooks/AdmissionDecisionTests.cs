using System.Text;
using System.Text.Json.Nodes;

namespace AdmissionGuard.Tests.Webhooks;

/// <summary>Decisions over real TLS against the example policies (production: Enforce on env=prod; development: Warn on env=dev).</summary>
[Collection(WebhookTestGroup.Name)]
public sealed class AdmissionDecisionTests(WebhookServer server)
{
    private const string Unfixable = "quay.io/evil/miner:1.0";

    [Fact]
    public async Task Validate_HardenedPod_AllowsWithoutStatusOrPatch()
    {
        var response = await server.ReviewAsync("/validate", TestObjects.Review(TestObjects.Load("Pod", image: "dhi.io/nginx:1.25")));

        Assert.True((bool)response["allowed"]!);
        Assert.Null(response["status"]);
        Assert.Null(response["patch"]);
        Assert.Null(response["patchType"]);
    }

    [Fact]
    public async Task Validate_UnhardenedPodInProd_DeniesWithApiMessageShape()
    {
        var pod = TestObjects.Load("Pod");
        TestObjects.Containers(pod, "initContainers").Add(TestObjects.Container("setup", "busybox"));
        var review = TestObjects.Review(pod, uid: "705ab4f5-6393-11e8-b7cc-42010a800002");

        var response = await server.ReviewAsync("/validate", review);

        Assert.False((bool)response["allowed"]!);
        Assert.Equal("705ab4f5-6393-11e8-b7cc-42010a800002", (string?)response["uid"]);
        Assert.Equal(403, (int)response["status"]!["code"]!);
        Assert.Equal("Forbidden", (string?)response["status"]!["reason"]);
        var lines = ((string)response["status"]!["message"]!).Split('\n');
        Assert.Equal("images denied by ClusterImagePolicy/production:", lines[0]);
        Assert.Contains("- container \"web\": image \"nginx:1.25\" is not hardened; use \"dhi.io/nginx:1.25\"", lines);
        Assert.Contains("- initContainer \"setup\": image \"busybox\" has disallowed tag \"latest\"", lines);
        Assert.Null(response["patch"]);
    }

    [Fact]
    public async Task Validate_WarnModePolicy_AllowsWithWarnings()
    {
        var pod = TestObjects.Load("Pod", ns: "dev", image: "ubuntu:latest");

        var response = await server.ReviewAsync("/validate", TestObjects.Review(pod));

        Assert.True((bool)response["allowed"]!);
        Assert.Null(response["status"]);
        var warnings = response["warnings"]!.AsArray().Select(w => (string)w!).ToList();
        // The twin dhi.io/ubuntu:latest would keep the tag the same policy disallows: it is not suggested.
        // (Warnings are cut to 120 characters, so only the start is compared.)
        Assert.Contains(warnings, w => w.StartsWith("container \"web\": image \"ubuntu:latest\" is not hardened; its hardened twin \"dhi.io/ubuntu:latest\" has", StringComparison.Ordinal));
        Assert.Contains("container \"web\": image \"ubuntu:latest\" has disallowed tag \"latest\" (ClusterImagePolicy/development)", warnings);
    }

    [Fact]
    public async Task Validate_ManyLongWarnings_EachUnder120AndAllUnder4096()
    {
        var pod = TestObjects.Load("Pod", ns: "dev");
        var containers = TestObjects.Containers(pod);
        containers.Clear();
        for (var i = 0; i < 60; i++)
        {
            containers.Add(TestObjects.Container($"sidecar-with-a-rather-long-descriptive-name-{i:D2}", $"docker.io/library/some-very-long-repository-name-for-testing-{i:D2}:latest"));
        }

        var response = await server.ReviewAsync("/validate", TestObjects.Review(pod));

        Assert.True((bool)response["allowed"]!);
        var warnings = response["warnings"]!.AsArray().Select(w => (string)w!).ToList();
        Assert.NotEmpty(warnings);
        Assert.All(warnings, w => Assert.True(w.Length < 120, $"{w.Length} characters: {w}"));
        Assert.True(warnings.Sum(w => w.Length) < 4096, $"{warnings.Sum(w => w.Length)} characters in all");
        // 120 violations cannot fit: the answer says so rather than dropping them silently.
        Assert.Contains("more warnings not shown", warnings[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_AuditModePolicy_AllowsWithAuditAnnotations()
    {
        var pod = TestObjects.Load("Pod", ns: "audited", image: "busybox:latest");

        var response = await server.ReviewAsync("/validate", TestObjects.Review(pod));

        Assert.True((bool)response["allowed"]!);
        Assert.Null(response["status"]);
        Assert.Null(response["warnings"]);
        var annotations = response["auditAnnotations"]!.AsObject();
        var (key, value) = Assert.Single(annotations);
        Assert.True(key.Length <= 63, key);
        Assert.Contains("audit-only", key, StringComparison.Ordinal);
        Assert.Contains("container \"web\": image \"busybox:latest\" has disallowed tag \"latest\"", (string)value!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mutate_UnhardenedPod_PatchAppliesAndSecondCallIsIdempotent()
    {
        var pod = TestObjects.Load("Pod");
        TestObjects.Containers(pod, "initContainers").Add(TestObjects.Container("setup", "busybox:1.36"));

        var response = await server.ReviewAsync("/mutate", TestObjects.Review(pod));

        Assert.True((bool)response["allowed"]!);
        Assert.Null(response["status"]);
        Assert.Equal("JSONPatch", (string?)response["patchType"]);
        var patch = JsonNode.Parse(Convert.FromBase64String((string)response["patch"]!))!.AsArray();
        var patched = JsonPatch.Apply(pod, patch).AsObject();
        Assert.Equal("dhi.io/nginx:1.25", (string?)TestObjects.Containers(patched)[0]!["image"]);
        Assert.Equal("dhi.io/busybox:1.36", (string?)TestObjects.Containers(patched, "initContainers")[0]!["image"]);
        // Only images change: everything else in the object is as received.
        TestObjects.Containers(patched)[0]!["image"] = "nginx:1.25";
        TestObjects.Containers(patched, "initContainers")[0]!["image"] = "busybox:1.36";
        Assert.True(JsonNode.DeepEquals(pod, patched));

        var again = await server.ReviewAsync("/mutate", TestObjects.Review(JsonPatch.Apply(pod, patch).AsObject()));
        Assert.True((bool)again["allowed"]!);
        Assert.Null(again["patch"]);
        Assert.Null(again["patchType"]);
    }

    [Fact]
    public async Task Mutate_PatchAgainstAChangedObject_FailsItsTestOperation()
    {
        var pod = TestObjects.Load("Pod");
        var response = await server.ReviewAsync("/mutate", TestObjects.Review(pod));
        var patch = JsonNode.Parse(Convert.FromBase64String((string)response["patch"]!))!.AsArray();
        var changed = TestObjects.Load("Pod", image: "nginx:1.26");

        Assert.Throws<InvalidOperationException>(() => JsonPatch.Apply(changed, patch));
    }

    [Theory]
    [InlineData(Unfixable)]
    [InlineData("quay.io/evil/miner@sha256:zz")]
    [InlineData("")]
    public async Task Mutate_ImageThatValidateDenies_NeverDenies(string image)
    {
        var pod = TestObjects.Load("Pod", image: image);

        var mutated = await server.ReviewAsync("/mutate", TestObjects.Review(pod));
        var validated = await server.ReviewAsync("/validate", TestObjects.Review(pod));

        Assert.True((bool)mutated["allowed"]!);
        Assert.Null(mutated["status"]);
        Assert.False((bool)validated["allowed"]!);
    }

    [Fact]
    public async Task Mutate_MissingObject_DoesNotDeny()
    {
        var review = TestObjects.Review(TestObjects.Load("Pod"));
        review["request"]!.AsObject().Remove("object");

        var mutated = await server.ReviewAsync("/mutate", review);
        var validated = await server.ReviewAsync("/validate", review);

        Assert.True((bool)mutated["allowed"]!);
        Assert.False((bool)validated["allowed"]!);
    }

    [Fact]
    public async Task Validate_RewritablePod_NeverReturnsAPatch()
    {
        var pod = TestObjects.Load("Pod", ns: "dev");

        var response = await server.ReviewAsync("/validate", TestObjects.Review(pod));

        Assert.Null(response["patch"]);
        Assert.Null(response["patchType"]);
        Assert.NotNull(response["warnings"]);
    }

    [Fact]
    public async Task Validate_EphemeralContainersSubresource_JudgesEphemeralContainers()
    {
        // As the API server sends it: oldObject is the Pod before the ephemeral container was added.
        var before = TestObjects.Load("Pod", image: "dhi.io/nginx:1.25");
        var pod = TestObjects.Load("Pod", image: "dhi.io/nginx:1.25");
        var good = await server.ReviewAsync("/validate", TestObjects.Review(pod, "UPDATE", subResource: "ephemeralcontainers", oldObject: before));
        TestObjects.Containers(pod, "ephemeralContainers").Add(TestObjects.Container("debugger", Unfixable));

        var bad = await server.ReviewAsync("/validate", TestObjects.Review(pod, "UPDATE", subResource: "ephemeralcontainers", oldObject: before));

        Assert.True((bool)good["allowed"]!);
        Assert.False((bool)bad["allowed"]!);
        Assert.Contains($"- ephemeralContainer \"debugger\": image \"{Unfixable}\"", (string)bad["status"]!["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mutate_EphemeralContainersSubresource_RewritesTheEphemeralContainer()
    {
        var before = TestObjects.Load("Pod", image: "dhi.io/nginx:1.25");
        var pod = TestObjects.Load("Pod", image: "dhi.io/nginx:1.25");
        TestObjects.Containers(pod, "ephemeralContainers").Add(TestObjects.Container("debugger", "busybox:1.36"));

        var response = await server.ReviewAsync("/mutate", TestObjects.Review(pod, "UPDATE", subResource: "ephemeralcontainers", oldObject: before));

        var patch = JsonNode.Parse(Convert.FromBase64String((string)response["patch"]!))!.AsArray();
        var patched = JsonPatch.Apply(pod, patch).AsObject();
        Assert.Equal("dhi.io/busybox:1.36", (string?)TestObjects.Containers(patched, "ephemeralContainers")[0]!["image"]);
        Assert.Equal("dhi.io/nginx:1.25", (string?)TestObjects.Containers(patched)[0]!["image"]);
    }

    private static JsonObject PodWithImageVolume(string reference)
    {
        var pod = TestObjects.Load("Pod", image: "dhi.io/nginx:1.25");
        TestObjects.PodSpec(pod)["volumes"] = new JsonArray(
            new JsonObject { ["name"] = "config", ["emptyDir"] = new JsonObject() },
            new JsonObject { ["name"] = "models", ["image"] = new JsonObject { ["reference"] = reference, ["pullPolicy"] = "IfNotPresent" } });
        return pod;
    }

    [Fact]
    public async Task Validate_ImageVolume_IsJudged()
    {
        var response = await server.ReviewAsync("/validate", TestObjects.Review(PodWithImageVolume(Unfixable)));

        Assert.False((bool)response["allowed"]!);
        Assert.Contains($"- volume \"models\": image \"{Unfixable}\"", (string)response["status"]!["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mutate_ImageVolume_PatchRewritesTheReference()
    {
        var pod = PodWithImageVolume("nginx:1.25");

        var response = await server.ReviewAsync("/mutate", TestObjects.Review(pod));

        var patch = JsonNode.Parse(Convert.FromBase64String((string)response["patch"]!))!.AsArray();
        var patched = JsonPatch.Apply(pod, patch);
        Assert.Equal("dhi.io/nginx:1.25", (string?)patched["spec"]!["volumes"]![1]!["image"]!["reference"]);
        Assert.True((bool)(await server.ReviewAsync("/validate", TestObjects.Review(patched.AsObject())))["allowed"]!);
    }

    public static TheoryData<string> Kinds() => new(TestObjects.WorkloadKinds);

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Validate_EveryWorkloadKind_AllowsHardenedAndDeniesUnfixable(string kind)
    {
        var good = await server.ReviewAsync("/validate", TestObjects.Review(TestObjects.Load(kind, image: "dhi.io/nginx:1.25")));
        var bad = await server.ReviewAsync("/validate", TestObjects.Review(TestObjects.Load(kind, image: Unfixable)));

        Assert.True((bool)good["allowed"]!);
        Assert.False((bool)bad["allowed"]!);
        Assert.Equal(403, (int)bad["status"]!["code"]!);
        Assert.StartsWith("images denied by ClusterImagePolicy/production:\n- container \"web\": image \"quay.io/evil/miner:1.0\"", (string)bad["status"]!["message"]!, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Validate_EveryWorkloadKind_InitContainerIsChecked(string kind)
    {
        var obj = TestObjects.Load(kind, image: "dhi.io/nginx:1.25");
        TestObjects.Containers(obj, "initContainers").Add(TestObjects.Container("init", Unfixable));

        var response = await server.ReviewAsync("/validate", TestObjects.Review(obj));

        Assert.False((bool)response["allowed"]!);
        Assert.Contains("- initContainer \"init\"", (string)response["status"]!["message"]!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Deployment")]
    [InlineData("StatefulSet")]
    [InlineData("CronJob")]
    public async Task Validate_TemplateViolationFixedAtPodCreation_WarnsInsteadOfDenying(string kind)
    {
        var response = await server.ReviewAsync("/validate", TestObjects.Review(TestObjects.Load(kind)));

        Assert.True((bool)response["allowed"]!);
        Assert.Contains("container \"web\": image \"nginx:1.25\" will be replaced by \"dhi.io/nginx:1.25\"", response["warnings"]!.AsArray().Select(w => (string)w!));
    }

    [Theory]
    [InlineData("Deployment")]
    [InlineData("CronJob")]
    public async Task Mutate_TemplateWithRewriteTargetPods_IsNotPatched(string kind)
    {
        var response = await server.ReviewAsync("/mutate", TestObjects.Review(TestObjects.Load(kind)));

        Assert.True((bool)response["allowed"]!);
        Assert.Null(response["patch"]);
    }

    [Theory]
    [InlineData("/validate")]
    [InlineData("/mutate")]
    public async Task Review_UnknownKind_AllowedWithoutEvaluation(string path)
    {
        var response = await server.ReviewAsync(path, TestObjects.Review(TestObjects.Load("Widget")));

        Assert.True((bool)response["allowed"]!);
        Assert.Null(response["status"]);
        Assert.Null(response["patch"]);
        Assert.Null(response["warnings"]);
    }

    [Fact]
    public async Task Review_PodUpdateKeepingARunningImage_NeitherDeniedNorRewritten()
    {
        // An old Pod that a newer policy would deny: removing its finalizer while it terminates must work.
        var old = TestObjects.Load("Pod", image: Unfixable);
        old["metadata"]!["finalizers"] = new JsonArray("example.com/cleanup");
        var updated = TestObjects.Load("Pod", image: Unfixable);
        updated["metadata"]!["deletionTimestamp"] = "2026-11-27T10:00:00Z";
        var review = TestObjects.Review(updated, "UPDATE", oldObject: old);

        var validated = await server.ReviewAsync("/validate", review);
        var mutated = await server.ReviewAsync("/mutate", review);
        var created = await server.ReviewAsync("/validate", TestObjects.Review(updated));

        Assert.True((bool)validated["allowed"]!);
        Assert.Null(mutated["patch"]);
        Assert.False((bool)created["allowed"]!);
    }

    [Fact]
    public async Task Validate_PodUpdateBringingANewImage_JudgesOnlyTheNewOne()
    {
        var old = TestObjects.Load("Pod", image: "dhi.io/nginx:1.25");
        var swapped = TestObjects.Load("Pod", image: Unfixable);

        var response = await server.ReviewAsync("/validate", TestObjects.Review(swapped, "UPDATE", oldObject: old));

        Assert.False((bool)response["allowed"]!);
        Assert.Contains(Unfixable, (string)response["status"]!["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_DeploymentKindOfAnotherGroup_IsNotEvaluated()
    {
        var deployment = TestObjects.Load("Deployment", image: Unfixable);
        var review = TestObjects.Review(deployment);
        var real = await server.ReviewAsync("/validate", review);
        review["request"]!["kind"]!["group"] = "example.com";
        var lookalike = await server.ReviewAsync("/validate", review);

        Assert.False((bool)real["allowed"]!);
        Assert.True((bool)lookalike["allowed"]!);
        Assert.Null(lookalike["status"]);
    }

    [Fact]
    public async Task Validate_Update_JudgesTheNewObjectNotTheOld()
    {
        var old = TestObjects.Load("Deployment", image: "dhi.io/nginx:1.25");
        var toBad = await server.ReviewAsync("/validate", TestObjects.Review(TestObjects.Load("Deployment", image: Unfixable), "UPDATE", oldObject: old));
        var toGood = await server.ReviewAsync("/validate", TestObjects.Review(old, "UPDATE", oldObject: TestObjects.Load("Deployment", image: Unfixable)));

        Assert.False((bool)toBad["allowed"]!);
        Assert.True((bool)toGood["allowed"]!);
    }

    [Theory]
    [InlineData("/validate")]
    [InlineData("/mutate")]
    public async Task Review_DryRun_GivesTheIdenticalDecision(string path)
    {
        foreach (var image in new[] { "nginx:1.25", "dhi.io/nginx:1.25", Unfixable })
        {
            var pod = TestObjects.Load("Pod", image: image);
            var real = await server.ReviewAsync(path, TestObjects.Review(pod, uid: "same-uid"));
            var dry = await server.ReviewAsync(path, TestObjects.Review(pod, dryRun: true, uid: "same-uid"));

            Assert.Equal(real.ToJsonString(), dry.ToJsonString());
        }
    }

    [Theory]
    [InlineData("DELETE")]
    [InlineData("CONNECT")]
    public async Task Validate_DeleteAndConnect_AllowedWithoutEvaluation(string operation)
    {
        var review = TestObjects.Review(TestObjects.Load("Pod", image: Unfixable), operation);
        if (operation == "CONNECT")
        {
            review["request"]!["subResource"] = "exec";
            review["request"]!["object"] = new JsonObject { ["kind"] = "PodExecOptions", ["apiVersion"] = "v1", ["command"] = new JsonArray("sh") };
        }

        var response = await server.ReviewAsync("/validate", review);

        Assert.True((bool)response["allowed"]!);
        Assert.Null(response["status"]);
    }

    [Fact]
    public async Task Validate_ObjectWithDeletionTimestamp_PodSwapJudgedTemplateUnchangedAllowed()
    {
        var pod = TestObjects.Load("Pod", image: Unfixable);
        pod["metadata"]!["deletionTimestamp"] = "2026-11-27T10:00:00Z";
        pod["metadata"]!["deletionGracePeriodSeconds"] = 30;
        var deployment = TestObjects.Load("Deployment", image: Unfixable);
        deployment["metadata"]!["deletionTimestamp"] = "2026-11-27T10:00:00Z";

        var podSwap = await server.ReviewAsync("/validate", TestObjects.Review(pod, "UPDATE", oldObject: TestObjects.Load("Pod", image: "dhi.io/nginx:1.25")));
        var template = await server.ReviewAsync("/validate", TestObjects.Review(deployment, "UPDATE"));

        Assert.False((bool)podSwap["allowed"]!);
        // The Deployment's pod template is the same as before (only deletion metadata changed): no pod is created,
        // so it is allowed without judging; a stale image must not block deleting a workload.
        Assert.True((bool)template["allowed"]!);
    }

    [Fact]
    public async Task Validate_KeepAliveConnection_ServesManyReviewsOnOneClient()
    {
        using var client = server.CreateClient();
        var decisions = new List<bool>();
        for (var i = 0; i < 20; i++)
        {
            var image = i % 2 == 0 ? "dhi.io/nginx:1.25" : Unfixable;
            decisions.Add((bool)(await server.ReviewAsync("/validate", TestObjects.Review(TestObjects.Load("Pod", image: image)), client))["allowed"]!);
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => i % 2 == 0), decisions);
    }

    [Fact]
    public async Task Review_Utf8Uid_IsEchoedExactly()
    {
        var review = TestObjects.Review(TestObjects.Load("Pod", image: "dhi.io/nginx:1.25"), uid: "ü-\"quoted\"-<>&");
        using var response = await server.PostAsync("/validate", review.ToJsonString());
        var body = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());

        Assert.Equal("ü-\"quoted\"-<>&", (string?)JsonNode.Parse(body)!["response"]!["uid"]);
    }
}
