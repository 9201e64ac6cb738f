namespace AdmissionGuard.Policies;

/// <summary>
/// The part of Kubernetes object metadata AdmissionGuard reads. Annotations are left out on purpose: nothing reads
/// them, and the watch caches would otherwise hold every object's <c>last-applied-configuration</c> (for a Secret
/// applied with kubectl, its data once more).
/// </summary>
public sealed class ObjectMeta
{
    public string? Name { get; set; }
    public string? Namespace { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public long? Generation { get; set; }
    public string? ResourceVersion { get; set; }
    public string? Uid { get; set; }
    public string? DeletionTimestamp { get; set; }
}
