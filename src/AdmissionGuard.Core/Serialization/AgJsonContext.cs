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

    /// <summary>For documents that came from YAML: numbers and booleans are accepted where strings are expected.</summary>
    public static AgJsonContext Yaml => yaml ??= new AgJsonContext(new System.Text.Json.JsonSerializerOptions(Default.Options)
    {
        Converters = { new LenientStringConverter() },
    });
}
