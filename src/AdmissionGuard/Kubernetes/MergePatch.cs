using System.Text.Json.Nodes;

namespace AdmissionGuard.Kubernetes;

/// <summary>
/// RFC 7386 JSON merge patches that carry only the fields we own, conditional on the resourceVersion read
/// (the API server answers 409 Conflict when the object has moved on since). A read object is never sent
/// back whole: a real server's objects carry fields we do not own (managedFields, others' labels, fields a
/// newer API version added) that must neither be overwritten nor need to be understood.
/// </summary>
internal static class MergePatch
{
    public const string ContentType = "application/merge-patch+json";

    /// <summary>A patch that turns <paramref name="from"/> into <paramref name="to"/>: changed members, and null for removed ones.</summary>
    public static JsonNode? Diff(JsonNode? from, JsonNode? to)
    {
        if (from is not JsonObject before || to is not JsonObject after)
        {
            return to?.DeepClone();
        }

        var patch = new JsonObject();
        foreach (var (name, value) in after)
        {
            if (!before.TryGetPropertyValue(name, out var old) || !JsonNode.DeepEquals(old, value))
            {
                patch[name] = old is JsonObject && value is JsonObject ? Diff(old, value) : value?.DeepClone();
            }
        }

        foreach (var (name, _) in before)
        {
            if (!after.ContainsKey(name))
            {
                patch[name] = null;
            }
        }

        return patch;
    }

    /// <summary><c>{"metadata":{"resourceVersion":rv}, field: value, ...}</c>: only these fields, and only if nobody wrote since the read.</summary>
    public static JsonObject Conditional(string resourceVersion, params (string Field, JsonNode? Value)[] fields)
    {
        var patch = new JsonObject { ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion } };
        foreach (var (field, value) in fields)
        {
            patch[field] = value;
        }

        return patch;
    }
}
