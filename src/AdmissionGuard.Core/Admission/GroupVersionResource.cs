namespace AdmissionGuard.Admission;

public sealed class GroupVersionResource
{
    public string? Group { get; set; }
    public string? Version { get; set; }
    public string? Resource { get; set; }
}
