namespace AdmissionGuard.Evaluation;

/// <summary>The engine's answer for one object. A value: the webhook, <c>check</c> and tests read the same thing.</summary>
public sealed record Verdict(
    bool Allowed,
    bool Evaluated,
    string? Message,
    IReadOnlyList<ImageResult> Images,
    IReadOnlyList<string> Warnings,
    IReadOnlyDictionary<string, string> AuditAnnotations,
    IReadOnlyList<ImageRewrite> Rewrites,
    IReadOnlyList<string> UnverifiedReferences)
{
    private static readonly Dictionary<string, string> NoAnnotations = [];

    /// <summary>For kinds and operations that are not evaluated.</summary>
    public static readonly Verdict NotEvaluated = new(true, false, null, [], [], NoAnnotations, [], []);

    public static Verdict AllowedEmpty { get; } = new(true, true, null, [], [], NoAnnotations, [], []);
}
