using System.Text.Json;

namespace AdmissionGuard.Scans.Importers;

/// <summary>
/// <c>trivy image -f json</c>, SchemaVersion 2: <c>Results[].Vulnerabilities[]</c>; a non-empty
/// <c>FixedVersion</c> is fixable; the digest comes from <c>Metadata.RepoDigests</c> (never <c>ImageID</c>).
/// </summary>
public sealed class TrivyJsonImporter : IScanReportImporter
{
    public string Name => "trivy";

    public bool CanRead(JsonElement root) =>
        root.Prop("SchemaVersion") is not null && (root.Prop("Results") is not null || root.Prop("ArtifactName") is not null);

    public ScanImportResult Import(JsonElement root, ScanImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var schema = root.Prop("SchemaVersion").Int();
        if (schema != 2)
        {
            return ScanImportResult.Fail($"Trivy SchemaVersion {root.Str("SchemaVersion") ?? "(none)"} is not supported; only 2 is");
        }

        var metadata = root.Prop("Metadata");
        var facts = new ScanReportFacts
        {
            ScannerName = "trivy",
            ScannerVersion = root.Path("Trivy", "Version").Str(),
            ScannedAt = root.Prop("CreatedAt").Time(),
        };
        facts.ImageNames.AddRange(metadata?.Prop("RepoTags").Strings() ?? []);
        if (metadata?.Str("Reference") is { } reference)
        {
            facts.ImageNames.Add(reference);
        }

        // ArtifactName is the scan input: an image name, or a path for `trivy image --input x.tar`.
        if (root.Str("ArtifactName") is { } artifact && !LooksLikePath(artifact))
        {
            facts.ImageNames.Add(artifact);
        }

        facts.RepoDigests.AddRange(metadata?.Prop("RepoDigests").Strings() ?? []);
        if (metadata?.Prop("OS") is { } os)
        {
            facts.Os = new OsInfo { Family = os.Str("Family"), Name = os.Str("Name"), Eosl = os.Prop("EOSL").Bool() ?? false };
        }

        foreach (var result in root.Prop("Results").Items())
        {
            foreach (var vulnerability in result.Prop("Vulnerabilities").Items())
            {
                facts.Findings.Add(
                    vulnerability.Str("VulnerabilityID"),
                    vulnerability.Str("PkgName"),
                    vulnerability.Str("InstalledVersion"),
                    SeverityNames.Parse(vulnerability.Str("Severity")),
                    !string.IsNullOrWhiteSpace(vulnerability.Str("FixedVersion")));
            }
        }

        return ScanFactsResolver.Resolve(facts, options);
    }

    private static bool LooksLikePath(string name) =>
        name.StartsWith('/') || name.StartsWith('.')
        || name.EndsWith(".tar", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase);
}
