using System.Text.Json.Nodes;

namespace AdmissionGuard.Tests.Kubernetes;

/// <summary>
/// <c>metadata.managedFields</c> as the API server keeps it: one entry per (manager, operation, subresource),
/// whose <c>fieldsV1</c> is a free-form JSON set of the fields that manager wrote (<c>f:spec</c>, <c>f:holderIdentity</c>, ...).
/// A client must never need to understand it, and must never send it back: typed clients that re-serialize an
/// object they read trip over exactly this field.
/// </summary>
internal static class ManagedFields
{
    public static void Record(JsonObject obj, string manager, string? subresource, string time)
    {
        var meta = obj["metadata"] as JsonObject ?? (JsonObject)(obj["metadata"] = new JsonObject());

        // What the client sent is not trusted: the server owns this list.
        var entries = meta["managedFields"] as JsonArray ?? [];
        meta.Remove("managedFields");
        var fields = new JsonObject();
        foreach (var (name, value) in obj)
        {
            if (name is "apiVersion" or "kind" or "metadata" || (subresource == "status") != (name == "status"))
            {
                continue;
            }

            fields[$"f:{name}"] = FieldSet(value);
        }

        if (subresource is null && meta["labels"] is JsonObject labels)
        {
            fields["f:metadata"] = new JsonObject { ["f:labels"] = FieldSet(labels) };
        }

        var kept = new JsonArray();
        foreach (var entry in entries.OfType<JsonObject>())
        {
            if (entry["manager"]?.GetValue<string>() != manager || entry["subresource"]?.GetValue<string>() != subresource)
            {
                kept.Add(entry.DeepClone());
            }
        }

        var mine = new JsonObject
        {
            ["manager"] = manager,
            ["operation"] = "Update",
            ["apiVersion"] = obj["apiVersion"]?.DeepClone(),
            ["time"] = time,
            ["fieldsType"] = "FieldsV1",
            ["fieldsV1"] = fields,
        };
        if (subresource is not null)
        {
            mine["subresource"] = subresource;
        }

        kept.Add(mine);
        meta["managedFields"] = kept;
    }

    private static JsonObject FieldSet(JsonNode? value)
    {
        var set = new JsonObject();
        if (value is JsonObject o)
        {
            foreach (var (name, child) in o)
            {
                set[$"f:{name}"] = FieldSet(child);
            }
        }
        else if (value is JsonArray)
        {
            set["."] = new JsonObject();
        }

        return set;
    }
}
