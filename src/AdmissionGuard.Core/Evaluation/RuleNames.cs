namespace AdmissionGuard.Evaluation;

/// <summary>Every rule name a <see cref="Violation"/> can carry, in one place: policies, messages, SARIF and JUnit use these.</summary>
public static class RuleNames
{
    public const string Hardened = "hardened";
    public const string Registries = "registries";
    public const string Tags = "tags";
    public const string Scan = "scan";

    /// <summary>Not a policy rule: the image reference cannot be parsed, which violates every matching policy.</summary>
    public const string Reference = "reference";

    /// <summary>Not a policy rule: the namespace's labels are unknown, so a namespaceSelector cannot be checked.</summary>
    public const string NamespaceSelector = "namespaceSelector";
}
