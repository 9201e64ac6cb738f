namespace AdmissionGuard.Policies;

/// <summary>The part of Kubernetes object metadata AdmissionGuard reads.</summary>
public sealed class ObjectMeta
{
    public string? Name { get; set; }
    public string? Namespace { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public Dictionary<string, string>? Annotations { get; set; }
    public long? Generation { get; set; }
    public string? ResourceVersion { get; set; }
    public string? Uid { get; set; }
    public string? DeletionTimestamp { get; set; }
}
