using System.Buffers;
using System.Text.Json;
using AdmissionGuard.Evaluation;

namespace AdmissionGuard.Webhooks;

/// <summary>
/// RFC 6902 patches for image rewrites, built against the received object. Pointers come from
/// fixed field names and indices (PodSpecLocator), so no token needs RFC 6901 escaping.
/// </summary>
internal static class JsonPatchBuilder
{
    public static byte[] Build(IReadOnlyList<ImageRewrite> rewrites)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var rewrite in rewrites)
            {
                // "test" first: if the object changed under us (another mutating webhook), the patch fails
                // as a whole instead of overwriting an image it never judged.
                json.WriteStartObject();
                json.WriteString("op", "test");
                json.WriteString("path", rewrite.Pointer);
                json.WriteString("value", rewrite.From);
                json.WriteEndObject();
                json.WriteStartObject();
                json.WriteString("op", "replace");
                json.WriteString("path", rewrite.Pointer);
                json.WriteString("value", rewrite.To);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

}
