using System.Buffers;
using System.Text.Json;
using AdmissionGuard.Admission;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Webhooks;

/// <summary>
/// Writes an answering AdmissionReview with no per-request allocation: the JSON goes into a buffer and a writer kept
/// per thread, then is copied into the response's pipe in one synchronous step (so the buffer is free again before
/// any await, and the next request on this thread can reuse it), with Content-Length set.
/// </summary>
internal static class ReviewWriter
{
    // A denial with many messages can be large: a buffer grown past this is dropped after use rather than kept.
    private const int KeepAtMost = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? writer;

    /// <summary>Serializes <paramref name="review"/> as the webhooks answer it (<see cref="AgJsonContext.Wire"/>) into <paramref name="output"/>.</summary>
    public static void Write(AdmissionReview review, IBufferWriter<byte> output)
    {
        var json = writer;
        if (json is null)
        {
            json = writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = AgJsonContext.Wire.Options.Encoder, SkipValidation = true });
        }
        else
        {
            json.Reset(output);
        }

        try
        {
            if (review.Request is null && review.Response is { } response)
            {
                WriteAnswer(json, review, response);
            }
            else
            {
                JsonSerializer.Serialize(json, review, AgJsonContext.Wire.AdmissionReview);
            }

            json.Flush();
        }
        finally
        {
            // The writer must not keep the output alive (or write to it) once this call is over.
            json.Reset(NullBufferWriter.Instance);
        }
    }

    /// <summary>
    /// An answer, written field by field in the serializer's order and with its null handling: the serializer's own
    /// write path allocates a few hundred bytes of state per call. ReviewWriterTests holds the two byte-equal.
    /// </summary>
    private static void WriteAnswer(Utf8JsonWriter json, AdmissionReview review, AdmissionResponse response)
    {
        json.WriteStartObject();
        WriteStringUnlessNull(json, "apiVersion"u8, review.ApiVersion);
        WriteStringUnlessNull(json, "kind"u8, review.Kind);
        json.WriteStartObject("response"u8);
        json.WriteString("uid"u8, response.Uid);
        json.WriteBoolean("allowed"u8, response.Allowed);
        if (response.Status is { } status)
        {
            json.WriteStartObject("status"u8);
            json.WriteNumber("code"u8, status.Code);
            WriteStringUnlessNull(json, "reason"u8, status.Reason);
            WriteStringUnlessNull(json, "message"u8, status.Message);
            json.WriteEndObject();
        }

        WriteStringUnlessNull(json, "patch"u8, response.Patch);
        WriteStringUnlessNull(json, "patchType"u8, response.PatchType);
        if (response.Warnings is { } warnings)
        {
            json.WriteStartArray("warnings"u8);
            foreach (var warning in warnings)
            {
                json.WriteStringValue(warning);
            }

            json.WriteEndArray();
        }

        if (response.AuditAnnotations is { } annotations)
        {
            json.WriteStartObject("auditAnnotations"u8);
            foreach (var (key, value) in annotations)
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteStringUnlessNull(Utf8JsonWriter json, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    /// <summary>Writes the review as the response body: content type, Content-Length, the bytes, one flush.</summary>
    public static ValueTask<System.IO.Pipelines.FlushResult> WriteAsync(HttpResponse response, AdmissionReview review, CancellationToken cancellationToken)
    {
        var bytes = buffer ??= new ArrayBufferWriter<byte>(1024);
        bytes.ResetWrittenCount();
        Write(review, bytes);
        response.ContentType = "application/json";
        response.ContentLength = bytes.WrittenCount;
        response.BodyWriter.Write(bytes.WrittenSpan);
        if (bytes.Capacity > KeepAtMost)
        {
            buffer = null;
        }

        return response.BodyWriter.FlushAsync(cancellationToken);
    }

    /// <summary>Where the cached writer points between calls.</summary>
    private sealed class NullBufferWriter : IBufferWriter<byte>
    {
        public static readonly NullBufferWriter Instance = new();

        public void Advance(int count) => throw new InvalidOperationException("the review writer is not in use");

        public Memory<byte> GetMemory(int sizeHint = 0) => throw new InvalidOperationException("the review writer is not in use");

        public Span<byte> GetSpan(int sizeHint = 0) => throw new InvalidOperationException("the review writer is not in use");
    }
}
