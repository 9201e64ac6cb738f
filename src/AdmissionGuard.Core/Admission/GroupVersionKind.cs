namespace AdmissionGuard.Admission;

public sealed class GroupVersionKind
{
    public string? Group { get; set; }
    public string? Version { get; set; }
    public string? Kind { get; set; }
}
