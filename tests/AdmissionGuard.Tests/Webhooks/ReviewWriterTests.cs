using System.Buffers;
using System.Text.Json;
using AdmissionGuard.Admission;
using AdmissionGuard.Serialization;
using AdmissionGuard.Webhooks;

namespace AdmissionGuard.Tests.Webhooks;

/// <summary>The pooled response writer writes byte for byte what the serializer's one-shot encoding writes.</summary>
public sealed class ReviewWriterTests
{
    private static AdmissionReview Review(AdmissionResponse response) =>
        new() { ApiVersion = AdmissionReview.V1, Kind = AdmissionReview.KindName, Response = response };

    private static AdmissionReview Denial(int messages) => Review(new AdmissionResponse
    {
        Uid = "705ab4f5-6393-11e8-b7cc-42010a800002",
        Allowed = false,
        Status = new AdmissionStatus { Code = 403, Reason = "Forbidden", Message = string.Join("\n", Enumerable.Range(0, messages).Select(i => $"container \"web-{i}\": image nginx:1.25 is not hardened; use \"dhi.io/nginx:1.25\" (ümlaut, <tag>, 'quote')")) },
        Warnings = ["policy \"team\" is Warn: tag \"latest\""],
        AuditAnnotations = new Dictionary<string, string> { ["admissionguard.io/audit"] = "nginx:latest \"would be denied\"" },
    });

    public static TheoryData<string> Reviews() => ["allowed", "mutated", "denied", "denied, 2000 messages"];

    private static AdmissionReview Case(string name) => name switch
    {
        "allowed" => Review(new AdmissionResponse { Uid = "u1", Allowed = true }),
        "mutated" => Review(new AdmissionResponse { Uid = "u2", Allowed = true, PatchType = "JSONPatch", Patch = "W3sib3AiOiJyZXBsYWNlIn1d" }),
        "denied" => Denial(3),
        _ => Denial(2000),
    };

    [Theory]
    [MemberData(nameof(Reviews))]
    public void Write_Review_MatchesTheSerializersEncoding(string name)
    {
        var review = Case(name);
        var output = new ArrayBufferWriter<byte>();

        ReviewWriter.Write(review, output);

        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(review, AgJsonContext.Wire.AdmissionReview), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Write_SmallAfterLargeOnTheSameThread_WritesOnlyTheSmallOne()
    {
        ReviewWriter.Write(Denial(2000), new ArrayBufferWriter<byte>());
        var output = new ArrayBufferWriter<byte>();

        ReviewWriter.Write(Case("allowed"), output);

        Assert.Equal("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u1","allowed":true}}""", System.Text.Encoding.UTF8.GetString(output.WrittenSpan));
    }
}
