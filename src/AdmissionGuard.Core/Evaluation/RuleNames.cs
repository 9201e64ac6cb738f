namespace AdmissionGuard.Evaluation;

/// <summary>Every rule name a <see cref="Violation"/> can carry, in one place: policies, messages, SARIF and JUnit use these.</summary>
public static class RuleNames
{
    public const string Hardened = "hardened";
    public const string Registries = "registries";
    public const string Tags = "tags";
    public const string Scan = "scan";
    public const string Signatures = "signatures";

    /// <summary>Not a policy rule: the image reference cannot be parsed, which violates every matching policy.</summary>
    public const string Reference = "reference";

    /// <summary>Not a policy rule: the namespace's labels are unknown, so a namespaceSelector cannot be checked.</summary>
    public const string NamespaceSelector = "namespaceSelector";

    private static readonly Dictionary<string, string> Descriptions = new(StringComparer.Ordinal)
    {
        [Hardened] = "Image is not hardened",
        [Registries] = "Image is from a registry that is not allowed",
        [Tags] = "Image tag is disallowed, or the policy requires a digest",
        [Scan] = "Image scan is missing or below the policy's grade and limits",
        [Signatures] = "Image digest is not signed by a trusted key, or lacks a signed attestation",
        [Reference] = "Image reference cannot be parsed",
        [NamespaceSelector] = "Namespace labels are unknown, so the policy's namespaceSelector cannot be checked",
    };

    /// <summary>One line saying what the rule checks (SARIF rule descriptions); the name itself for a name not listed.</summary>
    public static string Describe(string rule) => Descriptions.GetValueOrDefault(rule, rule);
}
