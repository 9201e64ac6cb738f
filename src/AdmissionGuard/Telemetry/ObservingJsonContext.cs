using System.Text.Json.Serialization;
using AdmissionGuard.Audit;

namespace AdmissionGuard.Telemetry;

/// <summary>
/// Source-generated JSON for what AdmissionGuard writes about what it saw: decision records (every field always
/// present, nulls included) and the background audit's Pod pages and PolicyReports.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    MaxDepth = 64)]
[JsonSerializable(typeof(DecisionRecord))]
[JsonSerializable(typeof(PodPage))]
[JsonSerializable(typeof(PolicyReport))]
internal sealed partial class ObservingJsonContext : JsonSerializerContext
{
    private static ObservingJsonContext? relaxed;

    /// <summary>Quotes in messages stay readable (<c>\"web\"</c>): the output is read by people and jq, never embedded in HTML.</summary>
    public static ObservingJsonContext Relaxed => relaxed ??= new ObservingJsonContext(new System.Text.Json.JsonSerializerOptions(Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
