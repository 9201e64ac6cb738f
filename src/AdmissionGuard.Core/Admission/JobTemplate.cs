namespace AdmissionGuard.Admission;

/// <summary>A CronJob's <c>spec.jobTemplate</c>: its <c>spec.template</c> is the pod template.</summary>
public sealed class JobTemplate
{
    public WorkloadMeta? Metadata { get; set; }
    public WorkloadSpec? Spec { get; set; }
}
