using System.Text.Json;
using AdmissionGuard.Adoption;

namespace AdmissionGuard.Reports;

/// <summary>The adoption picture as JSON, field by field as docs/report.md describes it.</summary>
internal static class ReportJson
{
    public static void Write(AdoptionPicture picture, ReportContext context, TextWriter output)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("generatedAt", picture.GeneratedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("source", context.Source);
            Strings(json, "from", context.From);
            json.WriteNumber("policies", context.Policies);
            json.WriteNumber("scans", context.Scans);
            Strings(json, "policyErrors", context.PolicyErrors);
            json.WriteNumber("workloads", picture.Workloads);
            json.WritePropertyName("total");
            Figures(json, picture.Total, withName: false);
            Counts(json, "avoidedByRewrites", picture.AvoidedByRewrites);
            json.WriteNumber("namespaceCount", picture.Namespaces.Count);
            json.WriteStartArray("namespaces");
            foreach (var ns in picture.Namespaces)
            {
                Figures(json, ns, withName: true);
            }

            json.WriteEndArray();
            json.WriteNumber("fixFirstTotal", picture.FixFirstTotal);
            json.WriteStartArray("fixFirst");
            foreach (var image in picture.FixFirst)
            {
                json.WriteStartObject();
                json.WriteString("image", image.Image);
                json.WriteNumber("containers", image.Containers);
                Strings(json, "namespaces", image.Namespaces);
                json.WriteString("grade", image.Grade?.ToString());
                OptionalCounts(json, "vulnerabilities", image.Vulnerabilities);
                json.WriteString("twin", image.Twin);
                json.WriteString("twinGrade", image.TwinGrade?.ToString());
                OptionalCounts(json, "removes", image.Removes);
                json.WriteNumber("score", image.Score);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("expiringExceptions");
            foreach (var exception in picture.ExpiringExceptions)
            {
                Exception(json, exception);
            }

            json.WriteEndArray();
            json.WritePropertyName("nextException");
            if (picture.NextException is { } next)
            {
                Exception(json, next);
            }
            else
            {
                json.WriteNullValue();
            }

            json.WriteStartArray("unparseable");
            foreach (var bad in picture.Unparseable)
            {
                json.WriteStartObject();
                json.WriteString("image", bad.Image);
                json.WriteString("error", bad.Error);
                json.WriteString("namespace", bad.Namespace);
                json.WriteString("workload", bad.Workload);
                json.WriteString("container", bad.Container);
                json.WriteNumber("containers", bad.Containers);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    /// <summary>The share as the HTML shows it: a percentage with one decimal.</summary>
    public static double Percent(double share) => Math.Round(share * 100, 1, MidpointRounding.AwayFromZero);

    private static void Figures(Utf8JsonWriter json, NamespaceAdoption ns, bool withName)
    {
        json.WriteStartObject();
        if (withName)
        {
            json.WriteString("name", ns.Name);
        }

        json.WriteNumber("containers", ns.Containers);
        json.WriteNumber("hardened", ns.Hardened);
        json.WriteNumber("notHardened", ns.NotHardened);
        json.WriteNumber("unparseable", ns.Unparseable);
        json.WriteNumber("rewritten", ns.Rewritten);
        json.WriteNumber("hardenedPercent", Percent(ns.HardenedShare));
        json.WriteStartObject("grades");
        for (var i = 0; i < GradeCounts.Labels.Length; i++)
        {
            json.WriteNumber(GradeCounts.Labels[i], ns.Grades[i]);
        }

        json.WriteEndObject();
        Counts(json, "vulnerabilities", ns.Vulnerabilities);
        Counts(json, "avoidable", ns.Avoidable);
        json.WriteEndObject();
    }

    private static void Exception(Utf8JsonWriter json, ExceptionExpiry exception)
    {
        json.WriteStartObject();
        json.WriteString("policy", exception.Policy);
        Strings(json, "images", exception.Images);
        Strings(json, "namespaces", exception.Namespaces);
        json.WriteString("expires", exception.Expires.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteNumber("daysLeft", exception.DaysLeft);
        json.WriteString("reason", exception.Reason);
        json.WriteNumber("containers", exception.Containers);
        json.WriteEndObject();
    }

    private static void OptionalCounts(Utf8JsonWriter json, string name, VulnerabilityCounts? counts)
    {
        if (counts is { } c)
        {
            Counts(json, name, c);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void Counts(Utf8JsonWriter json, string name, VulnerabilityCounts counts)
    {
        json.WriteStartObject(name);
        for (var i = 0; i < VulnerabilityCounts.Severities.Length; i++)
        {
            json.WriteNumber(VulnerabilityCounts.Severities[i], counts[i]);
        }

        json.WriteEndObject();
    }

    private static void Strings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
