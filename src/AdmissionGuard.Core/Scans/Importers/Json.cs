using System.Globalization;
using System.Text.Json;

namespace AdmissionGuard.Scans.Importers;

/// <summary>Lenient reads of loosely typed scanner JSON: a wrong type reads as absent, never throws.</summary>
internal static class Json
{
    public static JsonElement? Prop(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind is not JsonValueKind.Null and not JsonValueKind.Undefined
            ? value
            : null;

    public static JsonElement? Path(this JsonElement element, params ReadOnlySpan<string> names)
    {
        JsonElement? current = element;
        foreach (var name in names)
        {
            current = current?.Prop(name);
        }

        return current;
    }

    /// <summary>A string, or the raw text of a number or boolean (YAML turns <c>version: 1.10</c> into a number).</summary>
    public static string? Str(this JsonElement? element) => element?.ValueKind switch
    {
        JsonValueKind.String => element.Value.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => element.Value.GetRawText(),
        _ => null,
    };

    public static string? Str(this JsonElement element, string name) => element.Prop(name).Str();

    public static int? Int(this JsonElement? element)
    {
        var text = element.Str();
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    public static bool? Bool(this JsonElement? element) => element?.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String when bool.TryParse(element.Value.GetString(), out var b) => b,
        _ => null,
    };

    public static IEnumerable<JsonElement> Items(this JsonElement? element) =>
        element is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : [];

    public static IEnumerable<string> Strings(this JsonElement? element) =>
        element.Items().Select(e => ((JsonElement?)e).Str()).Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s!);

    public static DateTimeOffset? Time(this JsonElement? element) =>
        DateTimeOffset.TryParse(element.Str(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time.ToUniversalTime() : null;
}
