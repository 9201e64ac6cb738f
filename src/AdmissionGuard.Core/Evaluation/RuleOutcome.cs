namespace AdmissionGuard.Evaluation;

/// <summary>The closed vocabulary of rule outcomes.</summary>
public enum RuleOutcome
{
    Pass,
    /// <summary>The rule is violated; the policy's mode decides deny, warn or audit.</summary>
    Fail,
    /// <summary>Not a violation, but worth telling (a missing scan with <c>onMissing: Warn</c>).</summary>
    Warn,
    /// <summary>The rule was not evaluated (image excluded, exception applies).</summary>
    Skip,
}
