namespace AdmissionGuard.Chart.Tests.Foreign;

public sealed class ServiceMonitorNamespaceSelector
{
    public List<string>? MatchNames { get; set; }
}
