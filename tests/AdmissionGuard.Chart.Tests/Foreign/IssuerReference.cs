namespace AdmissionGuard.Chart.Tests.Foreign;

public sealed class IssuerReference
{
    public string? Kind { get; set; }

    public string? Name { get; set; }

    public string? Group { get; set; }
}
