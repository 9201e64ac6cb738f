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

    /// <summary>Every error with its field path, so <c>kubectl get -o yaml</c> says what to fix.</summary>
    public string Message => string.Join("; ", Errors.Select(e => $"{e.Field}: {e.Message}"));
}
