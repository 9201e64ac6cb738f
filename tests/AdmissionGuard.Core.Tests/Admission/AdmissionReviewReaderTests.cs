using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AdmissionGuard.Admission;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Tests.Admission;

/// <summary>
/// The one-pass reader must give what the source-generated serializer gives for what the API server sends, and
/// refuse (so the serializer decides) whatever it does not take exactly.
/// </summary>
public sealed class AdmissionReviewReaderTests
{
    private const string Pod = """
        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
          "uid":"705ab4f5-6393-11e8-b7cc-42010a800002","kind":{"group":"","version":"v1","kind":"Pod"},
          "resource":{"group":"","version":"v1","resource":"pods"},"requestKind":{"group":"","version":"v1","kind":"Pod"},
          "name":"web-7d4b9","namespace":"prod","operation":"CREATE","userInfo":{"username":"system:serviceaccount:kube-system:replicaset-controller","groups":["a","b"]},
          "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-7d4b9","namespace":"prod","labels":{"app":"web","tier":"front\u0065nd"},
            "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"big\":true}"},"managedFields":[{"manager":"kube-controller-manager","fieldsV1":{"f:metadata":{}}}]},
            "spec":{"containers":[{"name":"web","image":"registry.example.com/web:1.2","env":[{"name":"A","value":"1"}],"resources":{"limits":{"cpu":"1"}}},{"name":"side","image":null}],
              "initContainers":[{"name":"init","image":"busybox:1.36"}],"ephemeralContainers":[{"name":"debug","image":"busybox@sha256:0000000000000000000000000000000000000000000000000000000000000000"}],
              "volumes":[{"name":"kube-api-access-x","projected":{"sources":[{"serviceAccountToken":{"path":"token"}}]}},{"name":"models","image":{"reference":"registry.example.com/models:v3","pullPolicy":"IfNotPresent"}},{"name":"cfg\u00e9","image":{"reference":"cfg:1"}}],
              "imagePullSecrets":[{"name":"regcred"}],"serviceAccountName":"web","nodeName":null,"priority":0},
            "status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"True"}]}},
          "oldObject":null,"dryRun":false,"options":{"kind":"CreateOptions","apiVersion":"meta.k8s.io/v1"}}}
        """;

    private const string CronJob = """
        {"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"u2","kind":{"group":"batch","version":"v1","kind":"CronJob"},
          "operation":"UPDATE","namespace":"jobs","dryRun":true,
          "object":{"kind":"CronJob","apiVersion":"batch/v1","metadata":{"name":"nightly"},"spec":{"schedule":"0 1 * * *","jobTemplate":{"metadata":{"labels":{"job":"nightly"}},
            "spec":{"template":{"metadata":{"labels":{"job":"nightly"}},"spec":{"containers":[{"image":"backup:2","name":"backup"}]}}}}}},
          "oldObject":{"kind":"CronJob","apiVersion":"batch/v1","metadata":{"name":"nightly"},"spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"image":"backup:1","name":"backup"}]}}}}}}}}
        """;

    private const string Deployment = """
        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u3","kind":{"group":"apps","version":"v1","kind":"Deployment"},"subResource":"",
          "operation":"CREATE","object":{"kind":"Deployment","metadata":{"name":"api","labels":{}},"spec":{"replicas":3,"template":{"metadata":{"labels":{"app":"api"}},
            "spec":{"containers":[],"volumes":null,"imagePullSecrets":[{"name":"a"},{}]}},"strategy":{}}}}}
        """;

    public static TheoryData<string> Reviews()
    {
        var data = new TheoryData<string> { Pod, CronJob, Deployment };
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Admission", "Reviews"), "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    private static byte[] Body(string review) =>
        review.EndsWith(".json", StringComparison.Ordinal)
            ? File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Admission", "Reviews", review))
            : Encoding.UTF8.GetBytes(review);

    [Theory]
    [MemberData(nameof(Reviews))]
    public void TryRead_ApiServerReview_GivesWhatTheSerializerGives(string review)
    {
        var body = Body(review);

        Assert.True(AdmissionReviewReader.TryRead(body, out var read));
        var expected = JsonSerializer.Deserialize(body, AgJsonContext.Default.AdmissionReview)!;
        Assert.Equal(Canonical(expected, imagelessVolumesAsNull: true), Canonical(read, imagelessVolumesAsNull: false));
    }

    [Fact]
    public void TryRead_Pod_KeepsVolumeIndexesAndNamesOnlyImageVolumes()
    {
        Assert.True(AdmissionReviewReader.TryRead(Encoding.UTF8.GetBytes(Pod), out var review));

        var volumes = review.Request!.Object!.Spec!.Volumes!;
        Assert.Equal(3, volumes.Count);
        Assert.Null(volumes[0]);
        Assert.Equal("models", volumes[1].Name);
        Assert.Equal("registry.example.com/models:v3", volumes[1].Image!.Reference);
        Assert.Equal("cfgé", volumes[2].Name);
        Assert.Equal("frontend", review.Request.Object.Metadata!.Labels!["tier"]);
        Assert.Null(review.Request.Object.Spec.Containers![1].Image);
    }

    [Fact]
    public void TryRead_TwoReviews_ShareTheirRepeatedStrings_NotTheUid()
    {
        Assert.True(AdmissionReviewReader.TryRead(Encoding.UTF8.GetBytes(Pod), out var first));
        Assert.True(AdmissionReviewReader.TryRead(Encoding.UTF8.GetBytes(Pod), out var second));

        var a = first.Request!;
        var b = second.Request!;
        Assert.Equal(a.Uid, b.Uid);
        Assert.NotSame(a.Uid, b.Uid);
        Assert.Same(a.Object!.Spec!.Containers![0].Image, b.Object!.Spec!.Containers![0].Image);
        Assert.Same(a.Object.Spec.Containers[0].Name, b.Object.Spec.Containers[0].Name);
        Assert.Same(a.Namespace, b.Namespace);
        Assert.Same(a.Object.Metadata!.Labels!["app"], b.Object.Metadata!.Labels!["app"]);
        Assert.Same(a.Object.Spec.Volumes![1].Image!.Reference, b.Object.Spec.Volumes![1].Image!.Reference);
        // Escaped in the JSON: decoded as before, equal but not kept.
        Assert.Equal("frontend", b.Object.Metadata.Labels["tier"]);
    }

    public static TheoryData<string, string> Refused() => new()
    {
        { "not JSON", "this is not JSON {" },
        { "truncated", """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":""" },
        { "null", "null" },
        { "array", "[1,2,3]" },
        { "trailing value", """{"kind":"AdmissionReview"} {}""" },
        { "number for an image", """{"request":{"uid":"u","object":{"spec":{"containers":[{"image":42}]}}}}""" },
        { "string for the kind", """{"request":{"uid":"u","kind":"Pod"}}""" },
        { "null container", """{"request":{"uid":"u","object":{"spec":{"containers":[null]}}}}""" },
        { "containers not a list", """{"request":{"uid":"u","object":{"spec":{"containers":"web"}}}}""" },
        { "repeated uid", """{"request":{"uid":"a","uid":"b"}}""" },
        { "repeated label", """{"request":{"uid":"u","object":{"metadata":{"labels":{"a":"1","a":"2"}}}}}""" },
        { "null label value", """{"request":{"uid":"u","object":{"metadata":{"labels":{"a":null}}}}}""" },
        { "string for dryRun", """{"request":{"uid":"u","dryRun":"yes"}}""" },
        { "a response", """{"request":{"uid":"u"},"response":{"uid":"u","allowed":true}}""" },
        // What the reader skips is still read token by token: a skipped object cut short or holding a bad token refuses.
        { "truncated inside a skipped object", """{"request":{"uid":"u","userInfo":{"groups":["a","b""" },
        { "bad literal inside a skipped object", """{"request":{"uid":"u","object":{"status":{"ready":[true,tru]}}}}""" },
        { "unclosed skipped array at the end", """{"request":{"uid":"u","object":{"metadata":{"managedFields":[{}""" },
        { "too deep", """{"request":{"uid":"u","object":{"spec":{"x":""" + new string('[', 100) + new string(']', 100) + "}}}}" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void TryRead_NotExactlyTheApiServersShape_Refuses(string name, string json)
    {
        Assert.False(AdmissionReviewReader.TryRead(Encoding.UTF8.GetBytes(json), out var review), name);
        Assert.Null(review);
    }

    [Fact]
    public void TryRead_InvalidUtf8InAnImageVolumeName_Refuses()
    {
        var json = Encoding.UTF8.GetBytes("""{"request":{"uid":"u","object":{"spec":{"volumes":[{"name":"XX","image":{"reference":"a:1"}}]}}}}""");
        var at = Array.IndexOf(json, (byte)'X');
        json[at] = 0xC3;
        json[at + 1] = 0x28;

        Assert.False(AdmissionReviewReader.TryRead(json, out _));
    }

    [Fact]
    public void TryRead_InvalidUtf8InASkippedField_AgreesWithTheSerializer()
    {
        var json = Encoding.UTF8.GetBytes("""{"request":{"uid":"u","userInfo":{"username":"XX"},"operation":"CREATE"}}""");
        var at = Array.IndexOf(json, (byte)'X');
        json[at] = 0xC3;
        json[at + 1] = 0x28;

        bool serializerReads;
        try
        {
            serializerReads = JsonSerializer.Deserialize(json, AgJsonContext.Default.AdmissionReview) is not null;
        }
        catch (JsonException)
        {
            serializerReads = false;
        }

        Assert.Equal(serializerReads, AdmissionReviewReader.TryRead(json, out var review));
        Assert.Equal(serializerReads ? "CREATE" : null, review?.Request?.Operation);
    }

    [Fact]
    public void TryRead_EscapedPropertyNames_AreMatchedAsTheSerializerMatchesThem()
    {
        // Go's encoder writes no escapes in field names, but JSON allows them: "im\u0061ge" is "image".
        var json = Pod.Replace("\"image\":", "\"im\\u0061ge\":", StringComparison.Ordinal)
            .Replace("\"containers\":", "\"\\u0063ontainers\":", StringComparison.Ordinal);
        var body = Encoding.UTF8.GetBytes(json);

        Assert.True(AdmissionReviewReader.TryRead(body, out var read));
        Assert.Equal("registry.example.com/web:1.2", read.Request!.Object!.Spec!.Containers![0].Image);
        var expected = JsonSerializer.Deserialize(body, AgJsonContext.Default.AdmissionReview)!;
        Assert.Equal(Canonical(expected, imagelessVolumesAsNull: true), Canonical(read, imagelessVolumesAsNull: false));
    }

    [Fact]
    public void TryRead_TemplatesNestedDeeperThanItFollows_Refuses_AndTheSerializerStillReadsThem()
    {
        // spec.template.spec.template... 20 deep: no workload has it, the serializer (MaxDepth 64) still reads it.
        var spec = """{"containers":[{"name":"c","image":"deep:1"}]}""";
        for (var i = 0; i < 20; i++)
        {
            spec = "{\"template\":{\"spec\":" + spec + "}}";
        }

        var body = Encoding.UTF8.GetBytes("{\"request\":{\"uid\":\"u\",\"object\":{\"spec\":" + spec + "}}}");

        Assert.False(AdmissionReviewReader.TryRead(body, out _));
        var review = JsonSerializer.Deserialize(body, AgJsonContext.Default.AdmissionReview)!;
        var inner = review.Request!.Object!.Spec!;
        for (var i = 0; i < 20; i++)
        {
            inner = inner.Template!.Spec!;
        }

        Assert.Equal("deep:1", inner.Containers![0].Image);
    }

    /// <summary>
    /// The recorded reviews with one value somewhere replaced (by null, a number, a string, an empty object or list)
    /// or one property removed: whatever the reader takes, the serializer must read the same way.
    /// </summary>
    [Theory]
    [InlineData("pod-1-create.json")]
    [InlineData("pod-8-update.json")]
    [InlineData("deployment-3-apply.json")]
    public void TryRead_MutatedReview_WhatItTakes_TheSerializerGivesTheSame(string file)
    {
        var original = JsonNode.Parse(Body(file))!;
        var random = new Random(20261204);
        var (taken, refused) = (0, 0);
        for (var i = 0; i < 400; i++)
        {
            var mutated = original.DeepClone();
            var nodes = Descendants(mutated).Where(n => n.Parent is not null).ToList();
            var node = nodes[random.Next(nodes.Count)];
            JsonNode? replacement = random.Next(6) switch
            {
                0 => null,
                1 => JsonValue.Create(42),
                2 => JsonValue.Create("x"),
                3 => new JsonObject(),
                4 => new JsonArray(),
                _ => JsonValue.Create(true),
            };
            var parent = node.Parent!;
            if (parent is JsonObject obj)
            {
                var name = node.GetPropertyName();
                if (random.Next(4) == 0)
                {
                    obj.Remove(name);
                }
                else
                {
                    obj[name] = replacement;
                }
            }
            else
            {
                ((JsonArray)parent)[node.GetElementIndex()] = replacement;
            }

            var body = Encoding.UTF8.GetBytes(mutated.ToJsonString());
            if (!AdmissionReviewReader.TryRead(body, out var read))
            {
                refused++;
                continue;
            }

            taken++;
            var expected = JsonSerializer.Deserialize(body, AgJsonContext.Default.AdmissionReview)!;
            Assert.Equal(Canonical(expected, imagelessVolumesAsNull: true), Canonical(read, imagelessVolumesAsNull: false));
        }

        // Both outcomes happen, or the comparison proves little.
        Assert.True(taken > 100, $"taken {taken}");
        Assert.True(refused > 0, $"refused {refused}");
    }

    /// <summary>The decoded review as JSON; the serializer builds every volume, the reader a null for one without an image.</summary>
    private static string Canonical(AdmissionReview review, bool imagelessVolumesAsNull)
    {
        var node = JsonSerializer.SerializeToNode(review, AgJsonContext.Default.AdmissionReview)!;
        if (imagelessVolumesAsNull)
        {
            foreach (var volumes in Descendants(node).OfType<JsonObject>().Select(o => o["volumes"]).OfType<JsonArray>().ToList())
            {
                for (var i = 0; i < volumes.Count; i++)
                {
                    if (volumes[i] is JsonObject volume && volume["image"] is null)
                    {
                        volumes[i] = null;
                    }
                }
            }
        }

        return node.ToJsonString();
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a,
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>())
        {
            foreach (var descendant in Descendants(child))
            {
                yield return descendant;
            }
        }
    }
}
