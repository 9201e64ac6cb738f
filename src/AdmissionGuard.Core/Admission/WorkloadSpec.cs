namespace AdmissionGuard.Admission;

/// <summary>
/// One shape for the spec of every kind: a Pod's fields (<c>containers</c>...), a workload's
/// <c>template</c>, or a CronJob's <c>jobTemplate</c>. The kind decides which part is read.
/// </summary>
public sealed class WorkloadSpec
{
    public List<ContainerSpec>? Containers { get; set; }
    public List<ContainerSpec>? InitContainers { get; set; }
    public List<ContainerSpec>? EphemeralContainers { get; set; }
    public List<VolumeSpec>? Volumes { get; set; }
    public List<LocalObjectReference>? ImagePullSecrets { get; set; }
    public string? ServiceAccountName { get; set; }
    public PodTemplate? Template { get; set; }
    public JobTemplate? JobTemplate { get; set; }
}
