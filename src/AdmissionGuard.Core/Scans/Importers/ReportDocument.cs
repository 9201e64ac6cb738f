using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AdmissionGuard.Scans.Importers;

/// <summary>
/// Reads a report as JSON, or as YAML (trivy-operator objects from <c>kubectl get -o yaml</c>) converted to the
/// same JSON tree so that one importer reads both. Several YAML documents become a <c>List</c>.
/// </summary>
public static partial class ReportDocument
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
        catch (YamlException e)
        {
            error = $"invalid YAML at line {e.Start.Line}: {e.Message}";
        }

        return false;
    }

    private static JsonDocument? FromYaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var documents = stream.Documents.Where(d => d.RootNode is YamlMappingNode).ToList();
        if (documents.Count == 0)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (documents.Count == 1)
            {
                Write(writer, documents[0].RootNode);
            }
            else
            {
                writer.WriteStartObject();
                writer.WriteString("kind", "List");
                writer.WritePropertyName("items");
                writer.WriteStartArray();
                foreach (var document in documents)
                {
                    Write(writer, document.RootNode);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }
        }

        return JsonDocument.Parse(buffer.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                writer.WriteStartObject();
                foreach (var (key, value) in mapping.Children)
                {
                    writer.WritePropertyName((key as YamlScalarNode)?.Value ?? "");
                    Write(writer, value);
                }

                writer.WriteEndObject();
                break;
            case YamlSequenceNode sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Children)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case YamlScalarNode scalar:
                WriteScalar(writer, scalar);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    // YAML core schema typing for plain scalars only; a quoted scalar is always a string.
    private static void WriteScalar(Utf8JsonWriter writer, YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.Plain or ScalarStyle.Any)
        {
            if (value is "" or "~" or "null" or "Null" or "NULL")
            {
                writer.WriteNullValue();
                return;
            }

            if (value is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
            {
                writer.WriteBooleanValue(value[0] is 't' or 'T');
                return;
            }

            if (NumberPattern().IsMatch(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                writer.WriteRawValue(Encoding.UTF8.GetBytes(value.TrimStart('+')), skipInputValidation: false);
                return;
            }
        }

        writer.WriteStringValue(value);
    }

    [GeneratedRegex(@"^[-+]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberPattern();
}
