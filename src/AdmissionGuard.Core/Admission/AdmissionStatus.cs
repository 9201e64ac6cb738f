namespace AdmissionGuard.Admission;

/// <summary>The metav1.Status subset an admission response carries.</summary>
public sealed class AdmissionStatus
{
    public int Code { get; set; }
    public string? Reason { get; set; }
    public string? Message { get; set; }
}
