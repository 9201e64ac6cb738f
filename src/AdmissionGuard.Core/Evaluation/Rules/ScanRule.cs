using System.Globalization;
using AdmissionGuard.Images;
using AdmissionGuard.Policies;
using AdmissionGuard.Scans;

namespace AdmissionGuard.Evaluation.Rules;

internal sealed class ScanRule(Grade? minGrade, int? maxCritical, int? maxHigh, TimeSpan? maxAge, MissingScanAction onMissing) : IImageRule
{
    public string Name => RuleNames.Scan;

    /// <summary>Compiles <c>spec.rules.scan</c>; every error names its field path.</summary>
    public static ScanRule Compile(ScanRuleSpec spec, List<(string, string)> errors)
    {
        Grade? minGrade = null;
        if (spec.MinGrade is not null)
        {
            if (spec.MinGrade.Length == 1 && spec.MinGrade[0] is >= 'A' and <= 'F')
            {
                minGrade = (Grade)(spec.MinGrade[0] - 'A');
            }
            else
            {
                errors.Add(("spec.rules.scan.minGrade", $"\"{spec.MinGrade}\" is not one of A, B, C, D, E, F"));
            }
        }

        if (spec.MaxCritical < 0)
        {
            errors.Add(("spec.rules.scan.maxCritical", "must be 0 or more"));
        }

        if (spec.MaxHigh < 0)
        {
            errors.Add(("spec.rules.scan.maxHigh", "must be 0 or more"));
        }

        TimeSpan? maxAge = null;
        if (spec.MaxAge is not null)
        {
            if (GoDuration.TryParse(spec.MaxAge, out var age) && age > TimeSpan.Zero)
            {
                maxAge = age;
            }
            else
            {
                errors.Add(("spec.rules.scan.maxAge", $"\"{spec.MaxAge}\" is not a positive duration such as 168h or 30m"));
            }
        }

        var onMissing = PolicyCompiler.Enum<MissingScanAction>(spec.OnMissing, "spec.rules.scan.onMissing", MissingScanAction.Deny, errors);
        return new ScanRule(minGrade, spec.MaxCritical, spec.MaxHigh, maxAge, onMissing);
    }

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
