namespace AdmissionGuard.Admission;

public sealed class LocalObjectReference
{
    public string? Name { get; set; }
}
