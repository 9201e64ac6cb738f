using System.Text.Json;
using AdmissionGuard.Images;

namespace AdmissionGuard.Scans.Importers;

/// <summary>
/// CycloneDX 1.4–1.6 with a <c>vulnerabilities</c> array; one finding per vulnerability object (Trivy groups
/// the packages a CVE affects under one object). Severity: the highest rating whose source is the
/// vulnerability's own source (the distro's verdict), else the highest of all ratings. Fixable: a non-empty
/// <c>recommendation</c> or an <c>affects</c> version marked <c>unaffected</c>. Digest: the component's
/// <c>aquasecurity:trivy:RepoDigest</c> properties, else the digest of a <c>pkg:oci</c> purl; never ImageID.
/// </summary>
public sealed class CycloneDxImporter : IScanReportImporter
{
    public string Name => "cyclonedx";

    public bool CanRead(JsonElement root) => string.Equals(root.Str("bomFormat"), "CycloneDX", StringComparison.OrdinalIgnoreCase);

    public ScanImportResult Import(JsonElement root, ScanImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (root.Prop("vulnerabilities") is not { ValueKind: JsonValueKind.Array } vulnerabilities)
        {
            return ScanImportResult.Fail("the CycloneDX document has no vulnerabilities array: an SBOM without vulnerability analysis is not a scan");
        }

        var metadata = root.Prop("metadata");
        var tool = Tools(metadata?.Prop("tools")).Cast<JsonElement?>().FirstOrDefault();
        var facts = new ScanReportFacts
        {
            ScannerName = tool?.Str("name")?.ToLowerInvariant() ?? "cyclonedx",
            ScannerVersion = tool?.Str("version"),
            ScannedAt = metadata?.Prop("timestamp").Time(),
        };
        if (metadata?.Prop("component") is { } component)
        {
            var properties = component.Prop("properties").Items().ToList();
            facts.ImageNames.AddRange(PropertyValues(properties, "aquasecurity:trivy:RepoTag"));
            if (string.Equals(component.Str("type"), "container", StringComparison.OrdinalIgnoreCase) && component.Str("name") is { } name)
            {
                facts.ImageNames.Add(name);
            }

            facts.RepoDigests.AddRange(PropertyValues(properties, "aquasecurity:trivy:RepoDigest"));
            if (facts.RepoDigests.Count == 0 && OciPurlDigest(component.Str("purl")) is { } purlDigest)
            {
                facts.RepoDigests.Add(purlDigest);
            }
        }

        var os = root.Prop("components").Items().FirstOrDefault(c => c.Str("type") == "operating-system");
        if (os.ValueKind == JsonValueKind.Object)
        {
            facts.Os = new OsInfo { Family = os.Str("name"), Name = os.Str("version") };
        }

        foreach (var vulnerability in vulnerabilities.EnumerateArray())
        {
            var affects = vulnerability.Prop("affects").Items().ToList();
            var refs = string.Join(",", affects.Select(a => a.Str("ref") ?? "").Order(StringComparer.Ordinal));
            var fixable = !string.IsNullOrWhiteSpace(vulnerability.Str("recommendation"))
                || affects.SelectMany(a => a.Prop("versions").Items()).Any(v => v.Str("status") == "unaffected");
            facts.Findings.Add(vulnerability.Str("id"), refs, "", RatingSeverity(vulnerability), fixable);
        }

        return ScanFactsResolver.Resolve(facts, options);
    }

    private static Severity RatingSeverity(JsonElement vulnerability)
    {
        var source = vulnerability.Path("source", "name").Str();
        var ratings = vulnerability.Prop("ratings").Items().ToList();
        var own = ratings.Where(r => source is not null && string.Equals(r.Path("source", "name").Str(), source, StringComparison.OrdinalIgnoreCase)).ToList();
        var chosen = own.Count > 0 ? own : ratings;
        return chosen.Count == 0 ? Severity.Unknown : chosen.Max(r => SeverityNames.Parse(r.Str("severity")));
    }

    // 1.4 has tools as an array; 1.5 made it an object with components (and services).
    private static IEnumerable<JsonElement> Tools(JsonElement? tools) => tools switch
    {
        { ValueKind: JsonValueKind.Array } array => array.EnumerateArray(),
        { ValueKind: JsonValueKind.Object } obj => obj.Prop("components").Items(),
        _ => [],
    };

    private static IEnumerable<string> PropertyValues(List<JsonElement> properties, string name) =>
        properties.Where(p => p.Str("name") == name).Select(p => p.Str("value")).Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!);

    // pkg:oci/<name>@sha256%3A<hex>?...: the purl spec makes an OCI package's version its manifest digest.
    private static string? OciPurlDigest(string? purl)
    {
        if (purl is null || !purl.StartsWith("pkg:oci/", StringComparison.Ordinal))
        {
            return null;
        }

        var at = purl.IndexOf('@', StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var end = purl.IndexOfAny(['?', '#'], at);
        var version = Uri.UnescapeDataString(end < 0 ? purl[(at + 1)..] : purl[(at + 1)..end]);
        return Digests.IsValid(version) ? version : null;
    }
}
