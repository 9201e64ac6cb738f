using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AdmissionGuard.Tests.Kubernetes;

/// <summary>
/// A field error worded as k8s.io/apimachinery/pkg/util/validation/field (errors.go) words it: <c>Error()</c> is
/// <c>"&lt;field&gt;: &lt;body&gt;"</c>; the body is the type's text, then the bad value (a string quoted, a number or
/// bool bare, anything else as JSON) for the types that show one, then <c>": detail"</c>. A nil path prints <c>&lt;nil&gt;</c>.
/// </summary>
internal sealed record FieldError(string Type, string? Field, string Body)
{
    private static readonly JsonSerializerOptions GoQuoting = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public string Path => Field ?? "<nil>";

    public override string ToString() => $"{Path}: {Body}";

    public static FieldError Required(string field) => new("FieldValueRequired", field, "Required value");

    public static FieldError Forbidden(string field, string detail) => new("FieldValueForbidden", field, Detail("Forbidden", detail));

    public static FieldError Invalid(string? field, JsonNode? value, string detail) => new("FieldValueInvalid", field, Detail($"Invalid value: {Value(value)}", detail));

    public static FieldError TypeInvalid(string field, JsonNode? value, string detail) => new("FieldValueTypeInvalid", field, Detail($"Invalid value: {Value(value)}", detail));

    public static FieldError Duplicate(string field, JsonNode? value) => new("FieldValueDuplicate", field, $"Duplicate value: {Value(value)}");

    public static FieldError NotSupported(string field, JsonNode? value, IEnumerable<string> supported) =>
        new("FieldValueNotSupported", field, $"Unsupported value: {Value(value)}: supported values: {string.Join(", ", supported.Select(Quote))}");

    /// <summary>The value is omitted (TooLong never shows it); the unit is bytes, as TooLong says it.</summary>
    public static FieldError TooLong(string field, long max) => new("FieldValueTooLong", field, $"Too long: may not be more than {max} {(max == 1 ? "byte" : "bytes")}");

    public static FieldError TooMany(string field, int actual, long max) =>
        new("FieldValueTooMany", field, $"Too many: {actual}: must have at most {max} {(max == 1 ? "item" : "items")}");

    /// <summary>
    /// What the Status of a 422 says: <c>&lt;Kind&gt;.&lt;group&gt; "&lt;name&gt;" is invalid: </c> and the aggregate of the
    /// errors (apimachinery's util/errors: one error as itself, several in brackets joined by ", ", duplicates once).
    /// </summary>
    public static string InvalidMessage(string kind, string group, string name, IReadOnlyList<FieldError> errors)
    {
        var distinct = errors.Select(e => e.ToString()).Distinct(StringComparer.Ordinal).ToList();
        var aggregate = distinct.Count == 1 ? distinct[0] : "[" + string.Join(", ", distinct) + "]";
        return $"{kind}.{group} {Quote(name)} is invalid: {aggregate}";
    }

    /// <summary>Go's %q for the strings this fake meets (JSON escaping without HTML-safe escapes).</summary>
    public static string Quote(string text) => JsonSerializer.Serialize(text, GoQuoting);

    private static string Detail(string head, string detail) => detail.Length == 0 ? head : $"{head}: {detail}";

    private static string Value(JsonNode? value) => value switch
    {
        null => "null",
        JsonValue v when v.TryGetValue<string>(out var s) => Quote(s),
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
        JsonValue v when v.TryGetValue<long>(out var l) => l.ToString(CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetValue<double>(out var d) => d.ToString(CultureInfo.InvariantCulture),
        _ => value.ToJsonString(),
    };
}
