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
            JsonSerializer.Serialize(json, review, AgJsonContext.Wire.AdmissionReview);
            json.Flush();
        }
        finally
        {
            // The writer must not keep the output alive (or write to it) once this call is over.
            json.Reset(NullBufferWriter.Instance);
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
