using k8s.Models;

namespace AdmissionGuard.Chart.Tests.Foreign;

/// <summary>monitoring.coreos.com/v1 ServiceMonitor spec, the fields the chart sets.</summary>
public sealed class ServiceMonitorSpec
{
    public V1LabelSelector? Selector { get; set; }

    public ServiceMonitorNamespaceSelector? NamespaceSelector { get; set; }

    public List<ServiceMonitorEndpoint>? Endpoints { get; set; }
}
