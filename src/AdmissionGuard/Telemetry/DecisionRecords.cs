using System.Globalization;
using AdmissionGuard.Evaluation;
using AdmissionGuard.Policies;

namespace AdmissionGuard.Telemetry;

/// <summary>Turns one verdict into its decision records: one per violating image and policy, one per rewrite.</summary>
internal static class DecisionRecords
{
    /// <summary>The line a denial message shows for one violation (without its "- "): the same text everywhere.</summary>
    public static string Line(ImageSite site, Violation violation) => $"{site.Describe()}: image \"{site.Image}\" {violation.Reason}";

    public static string DecisionOf(PolicyMode mode) => mode switch
    {
        PolicyMode.Enforce => "denied",
        PolicyMode.Warn => "warned",
        _ => "audited",
    };

    /// <summary>
    /// Several rules of one policy failing for one image make one record: <c>rule</c> lists them comma-separated
    /// and <c>reason</c> joins their lines with "; ", as the audit annotation does.
    /// </summary>
    public static void Collect(
        List<DecisionRecord> into, DateTimeOffset now, string webhook, string ns, string kind, string name, string uid, bool dryRun,
        Verdict verdict, PolicySnapshot snapshot)
    {
        var ts = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        foreach (var image in verdict.Images)
        {
            var site = image.Site;
            var list = ImageSite.LocationName(site.Location);
            var grade = image.Grade?.ToString();
            if (image.Rewrite is { } rewrite)
            {
                var mode = snapshot.ModeOf(rewrite.PolicyId) ?? PolicyMode.Enforce;
                into.Add(new DecisionRecord(ts, webhook, "rewritten", ns, kind, name, rewrite.PolicyId, "rewrite", mode.ToString(), site.Name, list,
                    site.Image, rewrite.To, grade, $"{site.Describe()}: image \"{site.Image}\" rewritten to \"{rewrite.To}\"", uid, dryRun));
            }

            foreach (var (first, rules, reason) in ByPolicy(site, image.Violations))
            {
                into.Add(new DecisionRecord(ts, webhook, DecisionOf(first.Mode), ns, kind, name, first.PolicyId, rules, first.Mode.ToString(),
                    site.Name, list, site.Image, image.Replacement, grade, reason, uid, dryRun));
            }
        }
    }

    /// <summary>
    /// One entry per policy with violations of this image, in order: its first violation (policy, mode), the failed
    /// rules comma-separated, and their denial lines joined with "; ". Records and PolicyReport results share it.
    /// </summary>
    public static IEnumerable<(Violation First, string Rules, string Reason)> ByPolicy(ImageSite site, IReadOnlyList<Violation> violations)
    {
        for (var i = 0; i < violations.Count; i++)
        {
            var first = violations[i];
            var seen = false;
            for (var j = 0; j < i && !seen; j++)
            {
                seen = violations[j].PolicyId == first.PolicyId;
            }

            if (seen)
            {
                continue;
            }

            var rules = first.Rule;
            var reason = Line(site, first);
            for (var j = i + 1; j < violations.Count; j++)
            {
                if (violations[j].PolicyId == first.PolicyId)
                {
                    rules += "," + violations[j].Rule;
                    reason += "; " + Line(site, violations[j]);
                }
            }

            yield return (first, rules, reason);
        }
    }
}
