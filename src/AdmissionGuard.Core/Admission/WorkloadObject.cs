namespace AdmissionGuard.Admission;

/// <summary>
/// The typed subset of a Pod or workload that admission reads: kind, metadata and every
/// image-bearing field. Everything else in the object is skipped by the reader, never built.
/// </summary>
public sealed class WorkloadObject
{
    public string? ApiVersion { get; set; }
    public string? Kind { get; set; }
    public WorkloadMeta? Metadata { get; set; }
    public WorkloadSpec? Spec { get; set; }
}
