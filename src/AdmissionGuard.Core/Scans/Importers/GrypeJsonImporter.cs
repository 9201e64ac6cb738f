using System.Text.Json;

namespace AdmissionGuard.Scans.Importers;

/// <summary>
/// <c>grype -o json</c>: <c>matches[].vulnerability</c>; fixable only when <c>fix.state</c> is <c>fixed</c>
/// (a <c>wont-fix</c> that lists versions is not); digest from <c>source.target.repoDigests</c>, else
/// <c>manifestDigest</c>.
/// </summary>
public sealed class GrypeJsonImporter : IScanReportImporter
{
    public string Name => "grype";

    public bool CanRead(JsonElement root) =>
        root.Prop("matches") is { ValueKind: JsonValueKind.Array } && (root.Prop("descriptor") is not null || root.Prop("source") is not null);

    public ScanImportResult Import(JsonElement root, ScanImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var descriptor = root.Prop("descriptor");
        var facts = new ScanReportFacts
        {
            ScannerName = descriptor?.Str("name") ?? "grype",
            ScannerVersion = descriptor?.Str("version"),
            ScannedAt = descriptor?.Prop("timestamp").Time(),
        };
        if (root.Path("source", "target") is { ValueKind: JsonValueKind.Object } target)
        {
            facts.ImageNames.AddRange(target.Prop("tags").Strings());
            if (target.Str("userInput") is { } input)
            {
                facts.ImageNames.Add(input);
            }

            facts.RepoDigests.AddRange(target.Prop("repoDigests").Strings());

            // manifestDigest is the platform manifest Grype read; the repo digest (often an index) is what
            // pods name, so it is the better key and wins when present.
            if (facts.RepoDigests.Count == 0 && target.Str("manifestDigest") is { } manifest)
            {
                facts.RepoDigests.Add(manifest);
            }
        }

        if (root.Prop("distro") is { } distro && distro.Str("name") is { } distroName)
        {
            facts.Os = new OsInfo { Family = distroName, Name = distro.Str("version") };
        }

        foreach (var match in root.Prop("matches").Items())
        {
            var vulnerability = match.Prop("vulnerability");
            var artifact = match.Prop("artifact");
            facts.Findings.Add(
                vulnerability?.Str("id"),
                artifact?.Str("name"),
                artifact?.Str("version"),
                SeverityNames.Parse(vulnerability?.Str("severity")),
                string.Equals(vulnerability?.Path("fix", "state").Str(), "fixed", StringComparison.OrdinalIgnoreCase));
        }

        return ScanFactsResolver.Resolve(facts, options);
    }
}
