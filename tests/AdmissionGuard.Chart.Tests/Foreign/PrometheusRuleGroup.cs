namespace AdmissionGuard.Chart.Tests.Foreign;

public sealed class PrometheusRuleGroup
{
    public string? Name { get; set; }

    public List<PrometheusAlertRule>? Rules { get; set; }
}
