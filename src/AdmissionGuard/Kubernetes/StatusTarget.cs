using AdmissionGuard.Policies;

namespace AdmissionGuard.Kubernetes;

/// <summary>A policy or source whose Ready condition should reflect the last compile.</summary>
internal sealed record StatusTarget(
    ResourcePath Resource,
    string? Namespace,
    string Name,
    string? ResourceVersion,
    long? Generation,
    ResourceStatus? Current,
    IReadOnlyList<PolicyError> Errors)
{
    public string Key => $"{Resource.Kind}/{Namespace}/{Name}";

    public bool Ready => Errors.Count == 0;

    public string Reason => Ready ? "Compiled" : "Invalid";

    /// <summary>The generation still enforced in place of an invalid one (its last good version), or null.</summary>
    public long? EnforcedGeneration { get; init; }

    /// <summary>
    /// Every error with its field path, so <c>kubectl get -o yaml</c> says what to fix, and what is enforced
    /// meanwhile: the last good generation, or nothing.
    /// </summary>
    public string Message => Ready
        ? ""
        : string.Join("; ", Errors.Select(e => $"{e.Field}: {e.Message}"))
            + (EnforcedGeneration is { } g ? $"; the last good version (generation {g}) is still enforced" : "; not enforced");
}
