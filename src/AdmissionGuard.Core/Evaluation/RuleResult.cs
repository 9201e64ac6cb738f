namespace AdmissionGuard.Evaluation;

/// <summary>A rule's structured outcome: what happened, why (reads after the image), and what would fix it.</summary>
public readonly record struct RuleResult(RuleOutcome Outcome, string? Reason)
{
    public static readonly RuleResult Pass = new(RuleOutcome.Pass, null);

    /// <summary>What to change so the rule passes (<c>pin a version, e.g. "dhi.io/busybox:&lt;version&gt;"</c>), when the rule knows.</summary>
    public string? Fix { get; init; }

    public static RuleResult Fail(string reason, string? fix = null) => new(RuleOutcome.Fail, reason) { Fix = fix };

    public static RuleResult Warn(string reason) => new(RuleOutcome.Warn, reason);
}
