namespace AdmissionGuard.Admission;

public sealed class ContainerSpec
{
    public string? Name { get; set; }
    public string? Image { get; set; }
}
