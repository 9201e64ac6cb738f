namespace AdmissionGuard.Admission;

public sealed class AdmissionRequest
{
    public string? Uid { get; set; }
    public GroupVersionKind? Kind { get; set; }
    public string? SubResource { get; set; }
    public string? Name { get; set; }
    public string? Namespace { get; set; }
    public string? Operation { get; set; }
    public WorkloadObject? Object { get; set; }
    public WorkloadObject? OldObject { get; set; }
    public bool? DryRun { get; set; }
}
