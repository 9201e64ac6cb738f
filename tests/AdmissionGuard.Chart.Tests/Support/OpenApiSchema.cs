using System.Text.Json.Nodes;
using Json.Schema;

namespace AdmissionGuard.Chart.Tests.Support;

/// <summary>
/// Turns a CRD's OpenAPI v3 schema into a JSON Schema (2020-12) that judges an object as the API server
/// does with strict field validation: an object with declared properties admits no others.
/// CEL rules (x-kubernetes-validations) are not evaluated here.
/// </summary>
public static class OpenApiSchema
{
    private static readonly HashSet<string> Copied =
    [
        "type", "required", "enum", "pattern", "minLength", "maxLength", "minItems", "maxItems",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "uniqueItems",
    ];

    private static readonly HashSet<string> Ignored = ["description", "default", "title", "example"];

    public static JsonSchema ToJsonSchema(JsonObject openApi)
    {
        var converted = Convert(openApi);
        converted["$schema"] = "https://json-schema.org/draft/2020-12/schema";
        return JsonSchema.FromText(converted.ToJsonString());
    }

    /// <summary>The locations (JSON pointers) and messages of every failure, empty when valid.</summary>
    public static List<(string Location, string Message)> Validate(JsonSchema schema, JsonNode? instance)
    {
        var result = schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (result.IsValid)
        {
            return [];
        }

        return result.Details
            .Where(d => d.HasErrors)
            .SelectMany(d => d.Errors!.Select(e => (d.InstanceLocation.ToString(), $"{e.Key}: {e.Value}")))
            .ToList();
    }

    private static JsonObject Convert(JsonObject openApi)
    {
        var schema = new JsonObject();
        foreach (var (key, value) in openApi)
        {
            switch (key)
            {
                case "properties":
                    schema[key] = new JsonObject(value!.AsObject().Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Convert(p.Value!.AsObject()))));
                    break;
                case "items":
                    schema[key] = Convert(value!.AsObject());
                    break;
                case "additionalProperties":
                    schema[key] = value is JsonObject o ? Convert(o) : value!.DeepClone();
                    break;
                case "format":
                    // int32/int64 are OpenAPI-only; date-time means the same in both.
                    if ((string?)value == "date-time")
                    {
                        schema[key] = "date-time";
                    }

                    break;
                case var k when Copied.Contains(k):
                    schema[key] = value!.DeepClone();
                    break;
                case var k when Ignored.Contains(k) || k.StartsWith("x-kubernetes-", StringComparison.Ordinal):
                    break;
                default:
                    // Fail loudly rather than silently accept what the converter does not understand.
                    throw new NotSupportedException($"OpenAPI keyword '{key}' is not converted; teach OpenApiSchema about it");
            }
        }

        if ((string?)openApi["type"] == "object" && openApi.ContainsKey("properties") && !openApi.ContainsKey("additionalProperties"))
        {
            schema["additionalProperties"] = false;
        }

        return schema;
    }
}
