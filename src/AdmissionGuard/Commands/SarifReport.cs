using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AdmissionGuard.Evaluation;
using AdmissionGuard.Policies;

namespace AdmissionGuard.Commands;

/// <summary>
/// The SARIF 2.1.0 report of <c>check</c>, for GitHub code scanning and other SARIF viewers: one result per
/// violation, its level from the policy's mode, located in the manifest file and, logically, at the container.
/// Nothing in it depends on the clock or the machine, so the same input gives the same bytes.
/// </summary>
internal static class SarifReport
{
    public const string Schema = "https://json.schemastore.org/sarif-2.1.0.json";
    public const string FingerprintKey = "admissionguard/v1";

    /// <summary>What <see cref="ManifestFiles"/> names standard input; SARIF needs a URI, and <c>&lt;</c> is not allowed in one.</summary>
    public const string StdinUri = "stdin";

    public static void Write(List<CheckResult> results, TextWriter output)
    {
        var findings = new List<(CheckResult Result, ImageResult Image, Violation Violation)>();
        foreach (var result in results)
        {
            foreach (var image in result.Verdict.Images)
            {
                foreach (var violation in image.Violations)
                {
                    findings.Add((result, image, violation));
                }
            }
        }

        var ruleIds = findings.Select(f => f.Violation.Rule).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

        using var stream = new MemoryStream();
        // Not for HTML: quotes in messages stay readable instead of becoming \u0022.
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("$schema", Schema);
            json.WriteString("version", "2.1.0");
            json.WriteStartArray("runs");
            json.WriteStartObject();

            json.WriteStartObject("tool");
            json.WriteStartObject("driver");
            json.WriteString("name", "admissionguard");
            json.WriteString("informationUri", "https://github.com/admissionguard/admissionguard");
            json.WriteStartArray("rules");
            foreach (var id in ruleIds)
            {
                json.WriteStartObject();
                json.WriteString("id", id);
                json.WriteStartObject("shortDescription");
                json.WriteString("text", RuleNames.Describe(id));
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();

            json.WriteStartArray("results");
            foreach (var (result, image, violation) in findings)
            {
                WriteResult(json, result, image, violation, ruleIds.IndexOf(violation.Rule));
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static void WriteResult(Utf8JsonWriter json, CheckResult result, ImageResult image, Violation violation, int ruleIndex)
    {
        var kind = result.Manifest.Kind;
        var name = result.Manifest.Object.Metadata?.Name ?? "<unnamed>";
        var site = image.Site;
        var list = ImageSite.LocationName(site.Location);

        json.WriteStartObject();
        json.WriteString("ruleId", violation.Rule);
        json.WriteNumber("ruleIndex", ruleIndex);
        json.WriteString("level", Level(violation.Mode));
        json.WriteStartObject("message");
        // The line the text report and the kubectl denial show, with the workload and policy it is about.
        json.WriteString("text", $"{kind}/{name} (namespace {result.Namespace}): {MessageFormatter.Violation(site, violation)}");
        json.WriteEndObject();

        json.WriteStartArray("locations");
        json.WriteStartObject();
        json.WriteStartObject("physicalLocation");
        json.WriteStartObject("artifactLocation");
        json.WriteString("uri", ArtifactUri(result.Manifest.Source));
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartArray("logicalLocations");
        json.WriteStartObject();
        json.WriteString("name", site.Name);
        json.WriteString("fullyQualifiedName", $"{kind}/{result.Namespace}/{name}/{list}/{site.Name}");
        json.WriteString("kind", "object");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();

        json.WriteStartObject("partialFingerprints");
        json.WriteString(FingerprintKey, Fingerprint(kind, result.Namespace, name, list, site.Name, site.Image, violation.PolicyId, violation.Rule));
        json.WriteEndObject();

        json.WriteStartObject("properties");
        json.WriteString("policy", violation.PolicyId);
        json.WriteString("mode", violation.Mode.ToString());
        json.WriteString("kind", kind);
        json.WriteString("namespace", result.Namespace);
        json.WriteString("name", name);
        json.WriteString("container", site.Name);
        json.WriteString("list", list);
        json.WriteString("image", site.Image);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>Enforce denies (error); Warn allows with a warning; Audit only records (note).</summary>
    private static string Level(PolicyMode mode) => mode switch
    {
        PolicyMode.Enforce => "error",
        PolicyMode.Warn => "warning",
        _ => "note",
    };

    /// <summary>
    /// The manifest path as a URI reference: a relative path stays relative (code scanning resolves it against the
    /// checkout), an absolute one becomes a <c>file://</c> URI, characters a URI cannot hold are percent-encoded.
    /// </summary>
    public static string ArtifactUri(string source)
    {
        if (source == ManifestFiles.StdinOrigin)
        {
            return StdinUri;
        }

        var absolute = Path.IsPathFullyQualified(source);
        // A relative "c:/x" must not read as scheme "c"; only an absolute Windows path keeps its drive as written.
        var path = string.Join('/', source.Replace(Path.DirectorySeparatorChar, '/').Split('/')
            .Select((segment, i) => absolute && i == 0 && IsDrive(segment) ? segment : Uri.EscapeDataString(segment)));
        if (!absolute)
        {
            return path;
        }

        // file:///srv/k8s/pod.yaml, and on Windows file:///C:/k8s/pod.yaml
        return path.StartsWith('/') ? "file://" + path : "file:///" + path;
    }

    private static bool IsDrive(string segment) => segment.Length == 2 && char.IsAsciiLetter(segment[0]) && segment[1] == ':';

    // Stable across runs and independent of where the workload sits in its file, so a viewer can match a finding
    // from one run to the next; the file path is not part of it because viewers pair fingerprints with the location.
    private static string Fingerprint(params string[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\0', parts))));
}
