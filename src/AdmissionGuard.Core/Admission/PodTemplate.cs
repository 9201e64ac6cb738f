namespace AdmissionGuard.Admission;

public sealed class PodTemplate
{
    public WorkloadMeta? Metadata { get; set; }
    public WorkloadSpec? Spec { get; set; }
}
