namespace AdmissionGuard.Evaluation;

/// <summary>A rule's structured outcome: what happened, why (reads after the image), and what would fix it.</summary>
public readonly record struct RuleResult(RuleOutcome Outcome, string? Reason)
{
    public static readonly RuleResult Pass = new(RuleOutcome.Pass, null);

    /// <summary>
    /// What to change so the rule passes, when the rule knows: a constant text in which <c>{repository}</c> stands for
    /// the image's repository (<c>pin a version, e.g. "{repository}:&lt;version&gt;"</c>), so a failing rule allocates nothing.
    /// </summary>
    public string? Fix { get; init; }

    public static RuleResult Fail(string reason, string? fix = null) => new(RuleOutcome.Fail, reason) { Fix = fix };

    public static RuleResult Warn(string reason) => new(RuleOutcome.Warn, reason);
}
