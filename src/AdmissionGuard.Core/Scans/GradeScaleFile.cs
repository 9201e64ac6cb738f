using System.Text.Json;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Scans;

/// <summary>
/// Reads a cluster-wide grade scale from YAML (<c>--grade-scale FILE</c>): any of <c>eoslIsF</c> (bool) and
/// <c>fixableCriticalForE</c>, <c>criticalForD</c>, <c>highForC</c>, <c>fixableHighForC</c>, <c>highForB</c>
/// (a count, or <c>off</c>); what is not written keeps the documented default.
/// </summary>
public static class GradeScaleFile
{
    public static bool TryParse(string text, out GradeScale scale, out string? error)
    {
        scale = GradeScale.Default;
        error = null;
        List<JsonDocument> documents;
        try
        {
            documents = YamlDocuments.Read(text);
        }
        catch (InvalidDataException e)
        {
            error = e.Message;
            return false;
        }

        try
        {
            if (documents.Count != 1 || documents[0].RootElement.ValueKind != JsonValueKind.Object)
            {
                error = "expected one YAML mapping of grade thresholds";
                return false;
            }

            foreach (var property in documents[0].RootElement.EnumerateObject())
            {
                var value = property.Value;
                if (property.Name == "eoslIsF")
                {
                    if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    {
                        error = "eoslIsF: must be true or false";
                        return false;
                    }

                    scale = scale with { EoslIsF = value.GetBoolean() };
                    continue;
                }

                // Assigned up front, so that mutants of the test below keep it definitely assigned.
                var count = 0;
                if (value.ValueKind == JsonValueKind.String && value.GetString() == "off")
                {
                    count = int.MaxValue;
                }
                else if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out count) || count < 0)
                {
                    error = $"{property.Name}: must be a count of 0 or more, or \"off\"";
                    return false;
                }

                switch (property.Name)
                {
                    case "fixableCriticalForE": scale = scale with { FixableCriticalForE = count }; break;
                    case "criticalForD": scale = scale with { CriticalForD = count }; break;
                    case "highForC": scale = scale with { HighForC = count }; break;
                    case "fixableHighForC": scale = scale with { FixableHighForC = count }; break;
                    case "highForB": scale = scale with { HighForB = count }; break;
                    default:
                        error = $"{property.Name}: unknown threshold (eoslIsF, fixableCriticalForE, criticalForD, highForC, fixableHighForC, highForB)";
                        return false;
                }
            }

            return true;
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
