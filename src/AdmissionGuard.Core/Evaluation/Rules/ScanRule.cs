using System.Globalization;
using AdmissionGuard.Images;
using AdmissionGuard.Policies;
using AdmissionGuard.Scans;

namespace AdmissionGuard.Evaluation.Rules;

internal sealed class ScanRule(Grade? minGrade, int? maxCritical, int? maxHigh, TimeSpan? maxAge, MissingScanAction onMissing) : IImageRule
{
    public string Name => RuleNames.Scan;

    public RuleResult Evaluate(ImageReference image, in RuleContext context)
    {
        var digest = context.DigestOf(image);
        var scan = context.Scans.Find(image, digest);
        string? missing = null;
        if (scan is null)
        {
            missing = digest is null ? "has no scan result" : $"has no scan result for digest {digest}";
        }
        else if (maxAge is { } age && context.Now - scan.ScannedAt > age)
        {
            missing = $"has only a stale scan (scanned {scan.ScannedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}, older than {FormatAge(age)})";
        }

        if (missing is not null)
        {
            return onMissing switch
            {
                MissingScanAction.Deny => RuleResult.Fail(missing),
                MissingScanAction.Warn => RuleResult.Warn(missing),
                _ => RuleResult.Pass,
            };
        }

        var found = scan!;
        if (minGrade is { } min && found.Grade > min)
        {
            return RuleResult.Fail($"has scan grade {found.Grade} (minimum {min}): {Describe(found)}", "choose a version whose scan passes");
        }

        if (maxCritical is { } c && found.Critical > c)
        {
            return RuleResult.Fail($"has {found.Critical} critical vulnerabilities (at most {c}): grade {found.Grade}, {Describe(found)}", "choose a version whose scan passes");
        }

        if (maxHigh is { } h && found.High > h)
        {
            return RuleResult.Fail($"has {found.High} high vulnerabilities (at most {h}): grade {found.Grade}, {Describe(found)}", "choose a version whose scan passes");
        }

        return RuleResult.Pass;
    }

    internal static string Describe(ScanRecord scan) =>
        $"{scan.Critical} critical ({scan.FixableCritical} fixable), {scan.High} high ({scan.FixableHigh} fixable)";

    private static string FormatAge(TimeSpan age) => age.TotalHours >= 1 && age.TotalHours == Math.Floor(age.TotalHours)
        ? $"{age.TotalHours.ToString(CultureInfo.InvariantCulture)}h"
        : age.ToString();
}
