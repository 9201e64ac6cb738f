using System.Text.Json.Serialization;
using AdmissionGuard.Admission;
using AdmissionGuard.Policies;
using AdmissionGuard.Scans;

namespace AdmissionGuard.Serialization;

/// <summary>The one source-generated JSON context for every wire and CRD type.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = false,
    MaxDepth = 64,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AdmissionReview))]
[JsonSerializable(typeof(WorkloadObject))]
[JsonSerializable(typeof(HardenedImageSource))]
[JsonSerializable(typeof(ImagePolicy))]
[JsonSerializable(typeof(ImageScan))]
[JsonSerializable(typeof(ObjectMeta))]
public sealed partial class AgJsonContext : JsonSerializerContext
{
    private static AgJsonContext? yaml;
    private static AgJsonContext? wire;

    /// <summary>
    /// For responses: messages keep their quotes readable (<c>\"web\"</c>, not <c>\u0022web\u0022</c>) in kubectl
    /// and curl. The output is JSON read by the API server, never embedded in HTML.
    /// </summary>
    public static AgJsonContext Wire => wire ??= new AgJsonContext(new System.Text.Json.JsonSerializerOptions(Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>For documents that came from YAML: numbers and booleans are accepted where strings are expected.</summary>
    public static AgJsonContext Yaml => yaml ??= new AgJsonContext(new System.Text.Json.JsonSerializerOptions(Default.Options)
    {
        Converters = { new LenientStringConverter() },
    });
}
