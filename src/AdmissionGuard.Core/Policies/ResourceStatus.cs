namespace AdmissionGuard.Policies;

public sealed class ResourceStatus
{
    public List<StatusCondition>? Conditions { get; set; }
    public long? ObservedGeneration { get; set; }
}
