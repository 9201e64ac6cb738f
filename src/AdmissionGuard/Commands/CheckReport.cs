using System.Text.Encodings.Web;
using System.Text.Json;
using AdmissionGuard.Evaluation;

namespace AdmissionGuard.Commands;

/// <summary>Text (reads like the kubectl denial) and JSON (documented in the README) reports of <c>check</c>.</summary>
internal static class CheckReport
{
    public static void WriteText(List<CheckResult> results, TextWriter output)
    {
        foreach (var result in results)
        {
            var verdict = result.Verdict;
            var state = !verdict.Evaluated ? "not evaluated" : !result.Judged ? "no policy matched" : verdict.Allowed ? "allowed" : "DENIED";
            output.WriteLine($"{result.Manifest.Kind}/{result.Manifest.Object.Metadata?.Name ?? "<unnamed>"} (namespace {result.Namespace}, {result.Manifest.Origin}): {state}");
            if (verdict.Message is not null)
            {
                foreach (var line in verdict.Message.Split('\n'))
                {
                    output.WriteLine("  " + line);
                }
            }

            foreach (var rewrite in result.Rewrites)
            {
                output.WriteLine($"  rewrite: \"{rewrite.From}\" -> \"{rewrite.To}\" ({rewrite.PolicyId})");
            }

            foreach (var warning in verdict.Warnings)
            {
                output.WriteLine($"  warning: {warning}");
            }

            foreach (var (key, value) in verdict.AuditAnnotations)
            {
                output.WriteLine($"  audit {key}: {value}");
            }
        }

        var (passed, failed, skipped) = Counts(results);
        output.WriteLine($"{results.Count} checked: {passed} passed, {failed} failed, {skipped} skipped");
    }

    public static void WriteJson(List<CheckResult> results, TextWriter output)
    {
        using var stream = new MemoryStream();
        // Relaxed: people and jq read this, and "app" or <none> should look as written, not as \u0022 or \u003C.
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            var (passed, failed, skipped) = Counts(results);
            json.WriteStartObject();
            json.WriteBoolean("allowed", results.TrueForAll(r => r.Verdict.Allowed));
            json.WriteNumber("passed", passed);
            json.WriteNumber("failed", failed);
            json.WriteNumber("skipped", skipped);
            json.WriteStartArray("workloads");
            foreach (var result in results)
            {
                WriteWorkload(json, result);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static void WriteWorkload(Utf8JsonWriter json, CheckResult result)
    {
        var verdict = result.Verdict;
        json.WriteStartObject();
        json.WriteString("kind", result.Manifest.Kind);
        json.WriteString("name", result.Manifest.Object.Metadata?.Name);
        json.WriteString("namespace", result.Namespace);
        json.WriteString("source", result.Manifest.Origin);
        json.WriteBoolean("evaluated", verdict.Evaluated);
        json.WriteBoolean("policyMatched", result.Judged);
        json.WriteBoolean("allowed", verdict.Allowed);
        json.WriteString("message", verdict.Message);
        WriteStrings(json, "warnings", verdict.Warnings);
        json.WriteStartObject("auditAnnotations");
        foreach (var (key, value) in verdict.AuditAnnotations)
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
        json.WriteStartArray("images");
        foreach (var image in verdict.Images)
        {
            var rewrite = result.Rewrites.FirstOrDefault(r => r.Pointer == image.Site.Pointer);
            json.WriteStartObject();
            json.WriteString("container", image.Site.Name);
            json.WriteString("list", ImageSite.LocationName(image.Site.Location));
            json.WriteString("image", image.Site.Image);
            json.WriteString("normalized", image.Normalized);
            json.WriteString("error", image.ParseError);
            if (image.Hardened is { } hardened)
            {
                json.WriteBoolean("hardened", hardened);
            }
            else
            {
                json.WriteNull("hardened");
            }

            json.WriteString("grade", image.Grade?.ToString());
            if (result.JudgedAs(image) is { } twin)
            {
                // The grade and violations are the twin's: the image as written will not run.
                json.WriteString("judgedAs", twin);
            }

            json.WriteStartArray("violations");
            foreach (var violation in image.Violations)
            {
                json.WriteStartObject();
                json.WriteString("policy", violation.PolicyId);
                json.WriteString("rule", violation.Rule);
                json.WriteString("mode", violation.Mode.ToString());
                json.WriteString("reason", violation.Reason);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            WriteStrings(json, "exceptions", image.Exemptions);
            json.WriteString("replacement", image.Replacement);
            if (rewrite is null)
            {
                json.WriteNull("rewrite");
            }
            else
            {
                json.WriteStartObject("rewrite");
                json.WriteString("from", rewrite.From);
                json.WriteString("to", rewrite.To);
                json.WriteString("policy", rewrite.PolicyId);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>Passed: judged and allowed; failed: denied; skipped: a kind that is not evaluated or no policy matched.</summary>
    public static (int Passed, int Failed, int Skipped) Counts(List<CheckResult> results)
    {
        var failed = results.Count(r => !r.Verdict.Allowed);
        var skipped = results.Count(r => r.Verdict.Allowed && !r.Judged);
        return (results.Count - failed - skipped, failed, skipped);
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
