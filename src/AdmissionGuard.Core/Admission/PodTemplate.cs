using AdmissionGuard.Policies;

namespace AdmissionGuard.Admission;

public sealed class PodTemplate
{
    public ObjectMeta? Metadata { get; set; }
    public WorkloadSpec? Spec { get; set; }
}
