using System.Text.Json;

namespace AdmissionGuard.Scans.Importers;

/// <summary>
/// trivy-operator <c>VulnerabilityReport</c> / <c>ClusterVulnerabilityReport</c> (JSON or YAML, or a List of them).
/// Counts: per severity the larger of <c>report.summary</c> and the de-duplicated list, because the operator
/// may store a truncated list (etcd object size) while the summary covers the whole scan, and an importer
/// must never under-report. Fixable counts can only come from the list, so they are a lower bound then; a
/// disagreement is reported as a warning. Digest: <c>report.artifact.digest</c>.
/// </summary>
public sealed class TrivyOperatorImporter : IScanReportImporter
{
    public string Name => "trivy-operator";

    public bool CanRead(JsonElement root) =>
        IsReport(root) || (root.Prop("items") is { ValueKind: JsonValueKind.Array } items && items.EnumerateArray().Any(IsReport));

    public ScanImportResult Import(JsonElement root, ScanImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (IsReport(root))
        {
            return ImportOne(root, options);
        }

        var reports = root.Prop("items").Items().Where(IsReport).ToList();
        if (reports.Count == 1)
        {
            return ImportOne(reports[0], options);
        }

        if (options.Image is null || !ImageNames.TryNormalize(options.Image, out var wanted, out var wantedRepository, out var wantedTag, out var wantedDigest))
        {
            return ScanImportResult.Fail(
                $"the list holds {reports.Count} reports ({string.Join(", ", reports.Select(Describe))}); pick one with --image");
        }

        var picked = reports.Where(r =>
        {
            ImageNames.TryNormalize(ImageOf(r), out var name, out var repository, out _, out _);
            var digest = r.Path("report", "artifact", "digest").Str();
            return wantedDigest is not null && digest is not null
                ? digest == wantedDigest
                : wantedTag is not null ? name == wanted : repository == wantedRepository;
        }).ToList();
        return picked.Count == 1
            ? ImportOne(picked[0], options)
            : ScanImportResult.Fail($"--image {options.Image} matches {picked.Count} of the {reports.Count} reports in the list; it must match one");
    }

    private static ScanImportResult ImportOne(JsonElement root, ScanImportOptions options)
    {
        var report = root.Prop("report")!.Value;
        var scanner = report.Prop("scanner");
        var facts = new ScanReportFacts
        {
            ScannerName = scanner?.Str("name")?.ToLowerInvariant() ?? "trivy",
            ScannerVersion = scanner?.Str("version"),
            ScannedAt = report.Prop("updateTimestamp").Time() ?? root.Path("metadata", "creationTimestamp").Time(),
        };
        if (ImageOf(root) is { } image)
        {
            facts.ImageNames.Add(image);
        }

        if (report.Path("artifact", "digest").Str() is { } digest)
        {
            facts.RepoDigests.Add(digest);
        }

        if (report.Prop("os") is { } os)
        {
            facts.Os = new OsInfo { Family = os.Str("family"), Name = os.Str("name"), Eosl = os.Prop("eosl").Bool() ?? false };
        }

        foreach (var vulnerability in report.Prop("vulnerabilities").Items())
        {
            facts.Findings.Add(
                vulnerability.Str("vulnerabilityID"),
                vulnerability.Str("resource"),
                vulnerability.Str("installedVersion"),
                SeverityNames.Parse(vulnerability.Str("severity")),
                !string.IsNullOrWhiteSpace(vulnerability.Str("fixedVersion")));
        }

        if (report.Prop("summary") is { } summary)
        {
            facts.Summary = new SeverityCounts
            {
                Critical = summary.Prop("criticalCount").Int() ?? 0,
                High = summary.Prop("highCount").Int() ?? 0,
                Medium = summary.Prop("mediumCount").Int() ?? 0,
                Low = (summary.Prop("lowCount").Int() ?? 0) + (summary.Prop("noneCount").Int() ?? 0),
                Unknown = summary.Prop("unknownCount").Int() ?? 0,
            };
            var list = facts.Findings.Counts;
            var s = facts.Summary;
            if (list.Critical != s.Critical || list.High != s.High || list.Medium != s.Medium || list.Low != s.Low || list.Unknown != s.Unknown)
            {
                facts.Warnings.Add(
                    $"report.summary (critical {s.Critical}, high {s.High}, medium {s.Medium}, low {s.Low}, unknown {s.Unknown}) disagrees with report.vulnerabilities " +
                    $"(critical {list.Critical}, high {list.High}, medium {list.Medium}, low {list.Low}, unknown {list.Unknown}); the larger count of each is used, fixable counts come from the list");
            }
        }

        return ScanFactsResolver.Resolve(facts, options);
    }

    private static bool IsReport(JsonElement element) =>
        element.Str("kind") is "VulnerabilityReport" or "ClusterVulnerabilityReport" && element.Prop("report") is { ValueKind: JsonValueKind.Object };

    private static string? ImageOf(JsonElement root)
    {
        var report = root.Prop("report");
        var repository = report?.Path("artifact", "repository").Str();
        if (repository is null)
        {
            return null;
        }

        var server = report?.Path("registry", "server").Str();
        var tag = report?.Path("artifact", "tag").Str();
        return (server is null ? "" : server + "/") + repository + (tag is null ? "" : ":" + tag);
    }

    private static string Describe(JsonElement root) => ImageOf(root) ?? root.Path("metadata", "name").Str() ?? "?";
}
