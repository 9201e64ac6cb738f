using System.Globalization;
using AdmissionGuard.Adoption;

namespace AdmissionGuard.Reports;

/// <summary>The adoption picture as GitHub-flavoured Markdown (a pull-request comment, a wiki page): the HTML's tables without charts.</summary>
internal static class ReportMarkdown
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Write(AdoptionPicture picture, ReportContext context, TextWriter w)
    {
        var total = picture.Total;
        w.WriteLine("# Hardened-image adoption");
        w.WriteLine();
        w.WriteLine($"Generated {picture.GeneratedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", Invariant)} UTC from {context.Source} ({Cell(string.Join(", ", context.From))}): "
            + $"{picture.Workloads} workloads, {context.Policies} policies, {context.Scans} scans.");
        w.WriteLine();
        w.WriteLine($"**{Pct(total.HardenedShare)}** of containers run hardened images ({total.Hardened} of {total.Containers}; {total.NotHardened} not hardened, {total.Unparseable} unparseable). "
            + $"Switching to the hardened twins would remove {total.Avoidable.Critical} critical and {total.Avoidable.High} high vulnerabilities ({total.Avoidable.Total} in all).");
        if (total.Rewritten > 0)
        {
            w.WriteLine();
            w.WriteLine($"{total.Rewritten} containers are hardened by the mutating webhook's rewrite at admission, which removes {picture.AvoidedByRewrites.Critical} critical and {picture.AvoidedByRewrites.High} high vulnerabilities.");
        }

        w.WriteLine();
        w.WriteLine("## Grades");
        w.WriteLine();
        w.WriteLine("| " + string.Join(" | ", GradeCounts.Labels) + " |");
        w.WriteLine("|" + string.Concat(Enumerable.Repeat(" ---: |", GradeCounts.Labels.Length)));
        w.WriteLine("| " + string.Join(" | ", Enumerable.Range(0, GradeCounts.Labels.Length).Select(i => total.Grades[i])) + " |");
        w.WriteLine();
        w.WriteLine("## Namespaces");
        w.WriteLine();
        if (picture.Namespaces.Count == 0)
        {
            w.WriteLine("No workloads with containers were found.");
        }
        else
        {
            w.WriteLine("| Namespace | Containers | Hardened | Not hardened | Unparseable | Share hardened | Critical | High |");
            w.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var ns in picture.Namespaces.Take(ReportHtml.NamespaceRows))
            {
                w.WriteLine($"| {Cell(ns.Name)} | {ns.Containers} | {ns.Hardened} | {ns.NotHardened} | {ns.Unparseable} | {Pct(ns.HardenedShare)} | {ns.Vulnerabilities.Critical} | {ns.Vulnerabilities.High} |");
            }

            if (picture.Namespaces.Count > ReportHtml.NamespaceRows)
            {
                var rest = picture.Namespaces.Skip(ReportHtml.NamespaceRows).ToList();
                w.WriteLine($"| and {rest.Count} more namespaces | {rest.Sum(n => n.Containers)} | {rest.Sum(n => n.Hardened)} | {rest.Sum(n => n.NotHardened)} | {rest.Sum(n => n.Unparseable)} | | | |");
            }
        }

        w.WriteLine();
        w.WriteLine("## Images to fix first");
        w.WriteLine();
        if (picture.FixFirst.Count == 0)
        {
            w.WriteLine("Every container runs a hardened image.");
        }
        else
        {
            w.WriteLine("| Image | Containers | Grade | Hardened twin | Twin grade | Twin removes (C/H/M/L) |");
            w.WriteLine("| --- | ---: | --- | --- | --- | ---: |");
            foreach (var image in picture.FixFirst)
            {
                var removes = image.Removes is { } r ? $"{r.Critical} / {r.High} / {r.Medium} / {r.Low}" : "";
                w.WriteLine($"| `{Cell(image.Image)}` | {image.Containers} | {image.Grade?.ToString() ?? "no scan"} | {(image.Twin is null ? "none known" : $"`{Cell(image.Twin)}`")} | {image.TwinGrade?.ToString() ?? ""} | {removes} |");
            }

            if (picture.FixFirstTotal > picture.FixFirst.Count)
            {
                w.WriteLine();
                w.WriteLine($"and {picture.FixFirstTotal - picture.FixFirst.Count} more non-hardened images.");
            }
        }

        w.WriteLine();
        w.WriteLine("## Exceptions ending within 30 days");
        w.WriteLine();
        if (picture.ExpiringExceptions.Count == 0)
        {
            w.WriteLine(picture.NextException is { } n ? $"None. The next to end is {n.Policy}'s \"{Cell(n.Reason)}\" on {n.Expires.UtcDateTime.ToString("yyyy-MM-dd", Invariant)}." : "None: no exception is in force.");
        }
        else
        {
            w.WriteLine("| Ends | Days left | Policy | Images | Namespaces | Reason | Containers |");
            w.WriteLine("| --- | ---: | --- | --- | --- | --- | ---: |");
            foreach (var e in picture.ExpiringExceptions)
            {
                w.WriteLine($"| {e.Expires.UtcDateTime.ToString("yyyy-MM-dd", Invariant)} | {e.DaysLeft} | {Cell(e.Policy)} | `{Cell(string.Join(", ", e.Images))}` | {Cell(e.Namespaces.Count == 0 ? "all it matches" : string.Join(", ", e.Namespaces))} | {Cell(e.Reason)} | {e.Containers} |");
            }
        }

        if (picture.Unparseable.Count != 0)
        {
            w.WriteLine();
            w.WriteLine("## Images that are not valid references");
            w.WriteLine();
            foreach (var bad in picture.Unparseable)
            {
                w.WriteLine($"- `{Cell(bad.Image)}` ({Cell(bad.Namespace)}/{Cell(bad.Workload)}): {Cell(bad.Error)}");
            }
        }
    }

    private static string Pct(double share) => ReportJson.Percent(share).ToString("0.0", Invariant) + "%";

    /// <summary>Text safe in a table cell and in backticks: pipes escaped, line breaks and backticks replaced.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("`", "'", StringComparison.Ordinal).Replace('\n', ' ').Replace('\r', ' ');
}
