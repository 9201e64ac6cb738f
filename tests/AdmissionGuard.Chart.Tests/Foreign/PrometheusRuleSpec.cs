namespace AdmissionGuard.Chart.Tests.Foreign;

/// <summary>monitoring.coreos.com/v1 PrometheusRule spec, the fields the chart sets.</summary>
public sealed class PrometheusRuleSpec
{
    public List<PrometheusRuleGroup>? Groups { get; set; }
}
