namespace AdmissionGuard.Policies;

public sealed class StatusCondition
{
    public string? Type { get; set; }
    public string? Status { get; set; }
    public string? Reason { get; set; }
    public string? Message { get; set; }
    public long? ObservedGeneration { get; set; }
    public string? LastTransitionTime { get; set; }
}
