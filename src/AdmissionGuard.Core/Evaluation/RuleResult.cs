namespace AdmissionGuard.Evaluation;

public readonly record struct RuleResult(RuleOutcome Outcome, string? Reason)
{
    public static readonly RuleResult Pass = new(RuleOutcome.Pass, null);

    public static RuleResult Fail(string reason) => new(RuleOutcome.Fail, reason);

    public static RuleResult Warn(string reason) => new(RuleOutcome.Warn, reason);
}
