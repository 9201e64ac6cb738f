using System.Text.Json;

namespace AdmissionGuard.Scans.Importers;

/// <summary>
/// SARIF 2.1 as Trivy writes it. SARIF's <c>level</c> folds critical and high into <c>error</c>, so severity is
/// read from the result message line <c>Severity: X</c>, else from the rule's <c>properties.tags</c>, else
/// unknown. A finding is fixable when its message has a non-empty <c>Fixed Version:</c> line; package and
/// installed version come from the <c>Package:</c> and <c>Installed Version:</c> lines. Image and digests come
/// from <c>run.properties</c> (<c>imageName</c>, <c>repoTags</c>, <c>repoDigests</c>; never <c>imageID</c>).
/// </summary>
public sealed class SarifImporter : IScanReportImporter
{
    public string Name => "sarif";

    public bool CanRead(JsonElement root) =>
        root.Prop("runs") is { ValueKind: JsonValueKind.Array }
        && ((root.Str("version")?.StartsWith("2.1", StringComparison.Ordinal) ?? false)
            || (root.Str("$schema")?.Contains("sarif", StringComparison.OrdinalIgnoreCase) ?? false));

    public ScanImportResult Import(JsonElement root, ScanImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var runs = root.Prop("runs").Items().ToList();
        if (runs.Count != 1)
        {
            return ScanImportResult.Fail($"the SARIF report has {runs.Count} runs; import one run (one image) at a time");
        }

        var run = runs[0];
        var driver = run.Path("tool", "driver");
        var facts = new ScanReportFacts
        {
            ScannerName = driver?.Str("name")?.ToLowerInvariant() ?? "sarif",
            ScannerVersion = driver?.Str("version"),
            ScannedAt = run.Prop("invocations").Items().Select(i => i.Prop("endTimeUtc").Time() ?? i.Prop("startTimeUtc").Time()).FirstOrDefault(t => t is not null),
        };
        var properties = run.Prop("properties");
        facts.ImageNames.AddRange(properties?.Prop("repoTags").Strings() ?? []);
        if (properties?.Str("imageName") is { } imageName)
        {
            facts.ImageNames.Add(imageName);
        }

        facts.RepoDigests.AddRange(properties?.Prop("repoDigests").Strings() ?? []);

        var rules = driver?.Prop("rules").Items().ToList() ?? [];
        foreach (var result in run.Prop("results").Items())
        {
            var ruleId = result.Str("ruleId");
            var message = result.Path("message", "text").Str() ?? "";
            var severity = Line(message, "Severity:");
            severity ??= RuleSeverity(rules, result.Prop("ruleIndex").Int(), ruleId);
            var package = Line(message, "Package:");
            var installed = Line(message, "Installed Version:");
            if (package is null)
            {
                // Not Trivy's message format: one finding per rule and location.
                package = result.Prop("locations").Items().Select(l => l.Path("physicalLocation", "artifactLocation", "uri").Str()).FirstOrDefault();
                installed = result.Prop("locations").Items().Select(l => l.Path("physicalLocation", "region", "startLine").Str()).FirstOrDefault();
            }

            facts.Findings.Add(ruleId, package, installed, SeverityNames.Parse(severity), !string.IsNullOrWhiteSpace(Line(message, "Fixed Version:")));
        }

        return ScanFactsResolver.Resolve(facts, options);
    }

    private static string? RuleSeverity(List<JsonElement> rules, int? index, string? ruleId)
    {
        JsonElement? rule = index is >= 0 && index < rules.Count && rules[index.Value].Str("id") == ruleId
            ? rules[index.Value]
            : rules.Cast<JsonElement?>().FirstOrDefault(r => r!.Value.Str("id") == ruleId);
        return rule?.Path("properties", "tags").Strings().LastOrDefault(t => SeverityNames.IsKnownWord(t) && !t.Equals("unknown", StringComparison.OrdinalIgnoreCase));
    }

    private static string? Line(string message, string prefix)
    {
        foreach (var line in message.Split('\n'))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                var value = line[prefix.Length..].Trim();
                return value.Length == 0 ? null : value;
            }
        }

        return null;
    }
}
