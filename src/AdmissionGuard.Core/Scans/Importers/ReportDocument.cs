using System.Text.Json;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Scans.Importers;

/// <summary>
/// Reads a report as JSON, or as YAML (trivy-operator objects from <c>kubectl get -o yaml</c>) converted to the
/// same JSON tree so that one importer reads both. Several YAML documents become a <c>List</c>.
/// </summary>
public static class ReportDocument
{
    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string text, out JsonDocument? document, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        document = null;
        error = null;
        var trimmed = text.AsSpan().TrimStart();
        if (trimmed.IsEmpty)
        {
            error = "the report is empty";
            return false;
        }

        try
        {
            if (trimmed[0] is '{' or '[')
            {
                document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, MaxDepth = 256 });
                return true;
            }

            document = FromYaml(text);
            if (document is null)
            {
                error = "the report is neither JSON nor a YAML mapping";
                return false;
            }

            return true;
        }
        catch (JsonException e)
        {
            error = "invalid JSON: " + e.Message;
        }
        catch (InvalidDataException e)
        {
            error = e.Message;
        }

        return false;
    }

    /// <summary>The one YAML reader (<see cref="YamlDocuments"/>) does the converting; several mappings become a List.</summary>
    private static JsonDocument? FromYaml(string text)
    {
        var documents = YamlDocuments.Read(text);
        try
        {
            var mappings = documents.Where(d => d.RootElement.ValueKind == JsonValueKind.Object).ToList();
            if (mappings.Count == 0)
            {
                return null;
            }

            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                if (mappings.Count == 1)
                {
                    mappings[0].RootElement.WriteTo(writer);
                }
                else
                {
                    writer.WriteStartObject();
                    writer.WriteString("kind", "List");
                    writer.WritePropertyName("items");
                    writer.WriteStartArray();
                    foreach (var document in mappings)
                    {
                        document.RootElement.WriteTo(writer);
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }
            }

            return JsonDocument.Parse(buffer.ToArray());
        }
        finally
        {
            foreach (var document in documents)
            {
                document.Dispose();
            }
        }
    }
}
