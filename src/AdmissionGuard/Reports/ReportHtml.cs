using System.Globalization;
using System.Net;
using AdmissionGuard.Adoption;

namespace AdmissionGuard.Reports;

/// <summary>
/// The adoption picture as one self-contained HTML page: inline CSS and SVG only, no script, font, stylesheet or
/// image from anywhere (a Content-Security-Policy in the page says so to the browser), laid out for a screen
/// and, with print CSS, for A4 paper. Long lists show their top rows and say how many more there are.
/// </summary>
internal static class ReportHtml
{
    /// <summary>Namespaces shown in the table; the rest are summed in one "and N more" row.</summary>
    public const int NamespaceRows = 30;

    private const int GradeBarWidth = 120;

    private static readonly string[] GradeColours = ["#1a7f37", "#4ac26b", "#d4a72c", "#e16f24", "#cf222e", "#82071e", "#afb8c1"];

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Write(AdoptionPicture picture, ReportContext context, TextWriter w)
    {
        var total = picture.Total;
        w.Write("""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Hardened-image adoption · AdmissionGuard</title>
            <style>
            :root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --good: #1a7f37; --bad: #cf222e; }
            * { box-sizing: border-box; }
            body { margin: 0 auto; max-width: 1180px; padding: 28px 32px 40px; color: var(--ink); background: #fff;
                   font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
            h1 { font-size: 26px; margin: 0 0 4px; }
            h2 { font-size: 18px; margin: 30px 0 10px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
            .meta, .note { color: var(--muted); }
            .note { font-size: 13px; margin: 6px 0 0; }
            .cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 14px; margin-top: 20px; }
            .card { border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; background: var(--soft); break-inside: avoid; }
            .card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
            .card .big { font-size: 30px; font-weight: 650; margin: 2px 0; }
            .card.share { display: flex; gap: 14px; align-items: center; }
            .good { color: var(--good); } .bad { color: var(--bad); }
            table { border-collapse: collapse; width: 100%; font-size: 13px; }
            th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: middle; }
            th { background: var(--soft); font-weight: 600; white-space: nowrap; }
            td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
            tr { break-inside: avoid; }
            thead { display: table-header-group; }
            code { font: 12px/1.3 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; word-break: break-all; }
            .grade { display: inline-block; min-width: 22px; padding: 1px 6px; border-radius: 4px; color: #fff; font-weight: 650; text-align: center; font-size: 12px; }
            .more td { color: var(--muted); font-style: italic; }
            .charts { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; align-items: start; }
            .legend span { display: inline-block; margin-right: 12px; font-size: 12px; color: var(--muted); }
            .legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
            .empty { color: var(--muted); padding: 10px 0; }
            footer { margin-top: 34px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 10px; }
            @page { size: A4; margin: 14mm 12mm; }
            @media print {
              * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
              body { max-width: none; padding: 0; font-size: 10pt; }
              h2 { break-after: avoid; }
              .cards { grid-template-columns: repeat(4, 1fr); gap: 8px; }
              .card .big { font-size: 20pt; }
              section { break-inside: auto; }
            }
            @media (max-width: 800px) { .cards, .charts { grid-template-columns: 1fr 1fr; } }
            </style>
            </head>
            <body>

            """);

        w.Write("<header><h1>Hardened-image adoption</h1>\n<p class=\"meta\">");
        w.Write(E($"Generated {picture.GeneratedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", Invariant)} UTC from {Describe(context)} · "
            + $"{N(picture.Workloads)} workloads · {N(context.Policies)} policies · {N(context.Scans)} scans"));
        w.Write("</p></header>\n");
        if (context.PolicyErrors.Count != 0)
        {
            w.Write($"<p class=\"note bad\">{E($"{context.PolicyErrors.Count} policy objects are invalid and not enforced; they take no part in this report (the first: {context.PolicyErrors[0]}).")}</p>\n");
        }

        // Key figures.
        var critHighAvoidable = total.Avoidable.Critical + total.Avoidable.High;
        w.Write("<section class=\"cards\">\n");
        w.Write($"<div class=\"card share\" data-field=\"total\">{Donut(total.HardenedShare)}<div><div class=\"label\">On hardened images</div>"
            + $"<div class=\"big\" data-field=\"hardenedPercent\">{Pct(total.HardenedShare)}</div>"
            + $"<div><span data-field=\"hardened\">{N(total.Hardened)}</span> of <span data-field=\"containers\">{N(total.Containers)}</span> containers</div></div></div>\n");
        w.Write($"<div class=\"card\"><div class=\"label\">Namespaces</div><div class=\"big\">{N(picture.Namespaces.Count)}</div>"
            + $"<div>{N(picture.Namespaces.Count(n => n.Containers > 0 && n.Hardened == n.Containers))} fully hardened</div></div>\n");
        w.Write($"<div class=\"card\"><div class=\"label\">Twins would remove</div><div class=\"big {(critHighAvoidable > 0 ? "bad" : "")}\" data-field=\"avoidableCriticalHigh\">{N(critHighAvoidable)}</div>"
            + $"<div>critical and high ({N(total.Avoidable.Total)} in all)</div></div>\n");
        w.Write($"<div class=\"card\"><div class=\"label\">Exceptions ending ≤ 30 days</div><div class=\"big {(picture.ExpiringExceptions.Count > 0 ? "bad" : "")}\" data-field=\"expiringExceptions\">{N(picture.ExpiringExceptions.Count)}</div>"
            + $"<div>{(picture.NextException is { } next ? E($"next: {next.Expires.UtcDateTime.ToString("yyyy-MM-dd", Invariant)}") : "none in force")}</div></div>\n");
        w.Write("</section>\n");
        if (total.Rewritten > 0 || picture.AvoidedByRewrites.Total > 0)
        {
            w.Write($"<p class=\"note\">{E($"{N(total.Rewritten)} of the hardened containers get there by the mutating webhook's rewrite at admission; those rewrites remove {N(picture.AvoidedByRewrites.Critical)} critical, {N(picture.AvoidedByRewrites.High)} high, {N(picture.AvoidedByRewrites.Medium)} medium and {N(picture.AvoidedByRewrites.Low)} low vulnerabilities.")}</p>\n");
        }

        // Charts.
        w.Write("<section class=\"charts\">\n<div><h2>Grades of the images containers run</h2>\n");
        w.Write(GradeChart(total.Grades));
        w.Write("<p class=\"note\">A (best) to F (worst) from each image's scan; “none”: no scan of that image.</p></div>\n");
        w.Write("<div><h2>Vulnerabilities in running images</h2>\n");
        w.Write(SeverityChart(total.Vulnerabilities, total.Avoidable));
        w.Write("<p class=\"note\">Summed over containers. The light part is what switching each non-hardened image to its hardened twin removes (where both are scanned).</p></div>\n</section>\n");

        WriteNamespaces(picture, w);
        WriteFixFirst(picture, w);
        WriteExceptions(picture, w);
        WriteUnparseable(picture, w);

        w.Write("<footer>AdmissionGuard adoption report. A container counts as hardened when a hardened-image source calls the image it runs hardened; "
            + "“not hardened” images that parse, “unparseable” ones that are not valid image references. "
            + "Score = containers × grade weight (A 1 … F 6, no scan 3). This file needs no network: it carries its own styles and charts.</footer>\n</body>\n</html>\n");
    }

    private static void WriteNamespaces(AdoptionPicture picture, TextWriter w)
    {
        w.Write("<section><h2>Namespaces</h2>\n");
        if (picture.Namespaces.Count == 0)
        {
            w.Write("<p class=\"empty\">No workloads with containers were found.</p></section>\n");
            return;
        }

        w.Write($"<p class=\"note\">{E(picture.Namespaces.Count > NamespaceRows ? $"The {NamespaceRows} namespaces with the most containers to move, of {N(picture.Namespaces.Count)}." : "Most containers to move first.")}</p>\n");
        w.Write("<table id=\"namespaces\"><thead><tr><th>Namespace</th><th class=\"n\">Containers</th><th class=\"n\">Hardened</th><th class=\"n\">Not hardened</th>"
            + "<th class=\"n\">Unparseable</th><th>Share hardened</th><th>Grades</th><th class=\"n\">Critical</th><th class=\"n\">High</th><th class=\"n\">Twins remove (C/H)</th></tr></thead>\n<tbody>\n");
        foreach (var ns in picture.Namespaces.Take(NamespaceRows))
        {
            w.Write($"<tr data-namespace=\"{E(ns.Name)}\"><td><code>{E(ns.Name)}</code></td>"
                + $"<td class=\"n\" data-field=\"containers\">{N(ns.Containers)}</td><td class=\"n\" data-field=\"hardened\">{N(ns.Hardened)}</td>"
                + $"<td class=\"n\" data-field=\"notHardened\">{N(ns.NotHardened)}</td><td class=\"n\" data-field=\"unparseable\">{N(ns.Unparseable)}</td>"
                + $"<td>{ShareBar(ns.HardenedShare)} <span data-field=\"hardenedPercent\">{Pct(ns.HardenedShare)}</span></td>"
                + $"<td>{GradeBar(ns.Grades)}</td>"
                + $"<td class=\"n\" data-field=\"critical\">{N(ns.Vulnerabilities.Critical)}</td><td class=\"n\" data-field=\"high\">{N(ns.Vulnerabilities.High)}</td>"
                + $"<td class=\"n\">{N(ns.Avoidable.Critical)} / {N(ns.Avoidable.High)}</td></tr>\n");
        }

        if (picture.Namespaces.Count > NamespaceRows)
        {
            var rest = picture.Namespaces.Skip(NamespaceRows).ToList();
            var containers = rest.Sum(n => n.Containers);
            var hardened = rest.Sum(n => n.Hardened);
            w.Write($"<tr class=\"more\" data-field=\"more\"><td>and <span data-field=\"moreNamespaces\">{N(rest.Count)}</span> more namespaces</td>"
                + $"<td class=\"n\">{N(containers)}</td><td class=\"n\">{N(hardened)}</td><td class=\"n\">{N(rest.Sum(n => n.NotHardened))}</td><td class=\"n\">{N(rest.Sum(n => n.Unparseable))}</td>"
                + $"<td colspan=\"5\">{Pct(containers == 0 ? 0 : (double)hardened / containers)} hardened; every namespace is in the JSON report</td></tr>\n");
        }

        w.Write("</tbody></table>\n<p class=\"legend\">");
        for (var i = 0; i < GradeCounts.Labels.Length; i++)
        {
            w.Write($"<span><i style=\"background:{GradeColours[i]}\"></i>{GradeCounts.Labels[i]}</span>");
        }

        w.Write("</p></section>\n");
    }

    private static void WriteFixFirst(AdoptionPicture picture, TextWriter w)
    {
        w.Write("<section><h2>Images to fix first</h2>\n");
        if (picture.FixFirst.Count == 0)
        {
            w.Write("<p class=\"empty\">Every container runs a hardened image.</p></section>\n");
            return;
        }

        w.Write($"<p class=\"note\">{E($"Non-hardened images by containers × grade{(picture.FixFirstTotal > picture.FixFirst.Count ? $"; the first {picture.FixFirst.Count} of {N(picture.FixFirstTotal)}" : "")}. “Twin removes”: the image's scan minus its twin's, per severity.")}</p>\n");
        w.Write("<table id=\"fix-first\"><thead><tr><th>Image</th><th class=\"n\">Containers</th><th>Grade</th><th>Hardened twin</th><th>Twin grade</th>"
            + "<th class=\"n\">Twin removes (C/H/M/L)</th><th>Namespaces</th></tr></thead>\n<tbody>\n");
        foreach (var image in picture.FixFirst)
        {
            var namespaces = image.Namespaces.Count <= 4 ? string.Join(", ", image.Namespaces) : $"{string.Join(", ", image.Namespaces.Take(3))} and {image.Namespaces.Count - 3} more";
            var removes = image.Removes is { } r ? $"{N(r.Critical)} / {N(r.High)} / {N(r.Medium)} / {N(r.Low)}"
                : image.Twin is null ? "" : image.Grade is null ? "no scan of the image" : "no scan of the twin";
            w.Write($"<tr data-image=\"{E(image.Image)}\"><td><code>{E(image.Image)}</code></td><td class=\"n\" data-field=\"containers\">{N(image.Containers)}</td>"
                + $"<td>{Grade(image.Grade)}</td><td>{(image.Twin is null ? "<span class=\"meta\">none known</span>" : $"<code>{E(image.Twin)}</code>")}</td>"
                + $"<td>{(image.Twin is null ? "" : Grade(image.TwinGrade))}</td><td class=\"n\" data-field=\"removes\">{E(removes)}</td><td>{E(namespaces)}</td></tr>\n");
        }

        w.Write("</tbody></table></section>\n");
    }

    private static void WriteExceptions(AdoptionPicture picture, TextWriter w)
    {
        w.Write("<section><h2>Exceptions ending within 30 days</h2>\n");
        if (picture.ExpiringExceptions.Count == 0)
        {
            var next = picture.NextException is { } n
                ? $"None. The next to end is {n.Policy}'s “{n.Reason}” on {n.Expires.UtcDateTime.ToString("yyyy-MM-dd", Invariant)} ({N(n.DaysLeft)} days)."
                : "None: no exception is in force.";
            w.Write($"<p class=\"empty\">{E(next)}</p></section>\n");
            return;
        }

        w.Write("<table id=\"exceptions\"><thead><tr><th>Ends</th><th class=\"n\">Days left</th><th>Policy</th><th>Images</th><th>Namespaces</th><th>Reason</th><th class=\"n\">Containers using it</th></tr></thead>\n<tbody>\n");
        foreach (var e in picture.ExpiringExceptions)
        {
            w.Write($"<tr><td>{E(e.Expires.UtcDateTime.ToString("yyyy-MM-dd HH:mm", Invariant))}</td><td class=\"n\">{N(e.DaysLeft)}</td><td>{E(e.Policy)}</td>"
                + $"<td><code>{E(string.Join(", ", e.Images))}</code></td><td>{E(e.Namespaces.Count == 0 ? "all it matches" : string.Join(", ", e.Namespaces))}</td>"
                + $"<td>{E(e.Reason)}</td><td class=\"n\">{N(e.Containers)}</td></tr>\n");
        }

        w.Write("</tbody></table></section>\n");
    }

    private static void WriteUnparseable(AdoptionPicture picture, TextWriter w)
    {
        if (picture.Unparseable.Count == 0)
        {
            return;
        }

        w.Write("<section><h2>Images that are not valid references</h2>\n<table id=\"unparseable\"><thead><tr><th>Image as written</th><th>Why</th><th>First seen</th><th class=\"n\">Containers</th></tr></thead>\n<tbody>\n");
        foreach (var bad in picture.Unparseable)
        {
            w.Write($"<tr><td><code>{E(bad.Image)}</code></td><td>{E(bad.Error)}</td><td>{E($"{bad.Namespace}/{bad.Workload} {bad.Container}")}</td><td class=\"n\">{N(bad.Containers)}</td></tr>\n");
        }

        w.Write("</tbody></table></section>\n");
    }

    private static string Describe(ReportContext context) => context.Source == "cluster"
        ? $"the cluster at {string.Join(", ", context.From)} (running Pods)"
        : $"manifests {string.Join(", ", context.From)}";

    private static string Donut(double share)
    {
        var pct = (share * 100).ToString("0.###", Invariant);
        var rest = (100 - share * 100).ToString("0.###", Invariant);
        return "<svg width=\"84\" height=\"84\" viewBox=\"0 0 42 42\" role=\"img\" aria-label=\"share hardened\">"
            + "<circle cx=\"21\" cy=\"21\" r=\"15.9155\" fill=\"none\" stroke=\"#e6e8eb\" stroke-width=\"6\"/>"
            + $"<circle cx=\"21\" cy=\"21\" r=\"15.9155\" fill=\"none\" stroke=\"#1a7f37\" stroke-width=\"6\" stroke-dasharray=\"{pct} {rest}\" stroke-dashoffset=\"25\"/></svg>";
    }

    private static string ShareBar(double share)
    {
        var width = (share * 100).ToString("0.#", Invariant);
        return "<svg width=\"100\" height=\"10\" viewBox=\"0 0 100 10\" style=\"vertical-align:-1px\"><rect width=\"100\" height=\"10\" rx=\"2\" fill=\"#ffebe9\"/>"
            + $"<rect width=\"{width}\" height=\"10\" rx=\"2\" fill=\"#1a7f37\"/></svg>";
    }

    /// <summary>One stacked bar of a namespace's grades, A on the left.</summary>
    private static string GradeBar(GradeCounts grades)
    {
        var sum = 0;
        for (var i = 0; i < GradeCounts.Labels.Length; i++)
        {
            sum += grades[i];
        }

        var svg = new System.Text.StringBuilder($"<svg width=\"{GradeBarWidth}\" height=\"10\" viewBox=\"0 0 {GradeBarWidth} 10\" style=\"vertical-align:-1px\">");
        double x = 0;
        for (var i = 0; i < GradeCounts.Labels.Length && sum > 0; i++)
        {
            if (grades[i] == 0)
            {
                continue;
            }

            var width = (double)grades[i] / sum * GradeBarWidth;
            svg.Append(Invariant, $"<rect x=\"{x:0.##}\" width=\"{width:0.##}\" height=\"10\" fill=\"{GradeColours[i]}\"><title>{GradeCounts.Labels[i]}: {grades[i]}</title></rect>");
            x += width;
        }

        return svg.Append("</svg>").ToString();
    }

    private static string GradeChart(GradeCounts grades)
    {
        const int width = 520, height = 210, top = 22, bottom = 30, barWidth = 50, gap = 20;
        var max = 1;
        for (var i = 0; i < GradeCounts.Labels.Length; i++)
        {
            max = Math.Max(max, grades[i]);
        }

        var svg = new System.Text.StringBuilder($"<svg id=\"grades\" width=\"100%\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"containers by grade\">");
        svg.Append(Invariant, $"<line x1=\"0\" y1=\"{height - bottom}\" x2=\"{width}\" y2=\"{height - bottom}\" stroke=\"#d1d9e0\"/>");
        for (var i = 0; i < GradeCounts.Labels.Length; i++)
        {
            var x = 20 + i * (barWidth + gap);
            var h = (double)grades[i] / max * (height - top - bottom);
            var y = height - bottom - h;
            svg.Append(Invariant, $"<rect x=\"{x}\" y=\"{y:0.##}\" width=\"{barWidth}\" height=\"{h:0.##}\" rx=\"3\" fill=\"{GradeColours[i]}\"/>");
            svg.Append(Invariant, $"<text x=\"{x + barWidth / 2}\" y=\"{y - 6:0.##}\" text-anchor=\"middle\" font-size=\"13\" fill=\"#1f2328\" data-grade=\"{GradeCounts.Labels[i]}\">{grades[i]}</text>");
            svg.Append(Invariant, $"<text x=\"{x + barWidth / 2}\" y=\"{height - 10}\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"600\" fill=\"#59636e\">{GradeCounts.Labels[i]}</text>");
        }

        return svg.Append("</svg>\n").ToString();
    }

    private static string SeverityChart(VulnerabilityCounts all, VulnerabilityCounts avoidable)
    {
        const int width = 520, rowHeight = 34, labelWidth = 70, barMax = 250;
        string[] colours = ["#82071e", "#cf222e", "#e16f24", "#d4a72c", "#8c959f"];
        long max = 1;
        for (var i = 0; i < VulnerabilityCounts.Severities.Length; i++)
        {
            max = Math.Max(max, all[i]);
        }

        var height = rowHeight * VulnerabilityCounts.Severities.Length + 8;
        var svg = new System.Text.StringBuilder($"<svg id=\"severities\" width=\"100%\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"vulnerabilities by severity\">");
        for (var i = 0; i < VulnerabilityCounts.Severities.Length; i++)
        {
            var y = 6 + i * rowHeight;
            var w = (double)all[i] / max * barMax;
            var removable = (double)Math.Min(avoidable[i], all[i]) / max * barMax;
            svg.Append(Invariant, $"<text x=\"0\" y=\"{y + 17}\" font-size=\"13\" fill=\"#59636e\">{VulnerabilityCounts.Severities[i]}</text>");
            svg.Append(Invariant, $"<rect x=\"{labelWidth}\" y=\"{y}\" width=\"{w - removable:0.##}\" height=\"22\" fill=\"{colours[i]}\"/>");
            svg.Append(Invariant, $"<rect x=\"{labelWidth + w - removable:0.##}\" y=\"{y}\" width=\"{removable:0.##}\" height=\"22\" fill=\"{colours[i]}\" fill-opacity=\"0.3\"/>");
            var label = avoidable[i] > 0 ? $"{N(all[i])} ({N(avoidable[i])} removable)" : N(all[i]);
            svg.Append(Invariant, $"<text x=\"{labelWidth + w + 6:0.##}\" y=\"{y + 16}\" font-size=\"13\" fill=\"#1f2328\" data-severity=\"{VulnerabilityCounts.Severities[i]}\">{label}</text>");
        }

        return svg.Append("</svg>\n").ToString();
    }

    private static string Grade(Scans.Grade? grade) => grade is { } g
        ? $"<span class=\"grade\" style=\"background:{GradeColours[(int)g]}\">{g}</span>"
        : "<span class=\"grade\" style=\"background:#afb8c1\">?</span> <span class=\"meta\">no scan</span>";

    private static string Pct(double share) => ReportJson.Percent(share).ToString("0.0", Invariant) + "%";

    private static string N(long value) => value.ToString("#,0", Invariant);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
