using k8s.Models;

namespace AdmissionGuard.Chart.Tests.Foreign;

/// <summary>
/// A custom resource of another project (cert-manager, Prometheus Operator) that KubernetesClient has no
/// model for; typed with just the fields the chart renders, so strict parsing still rejects a typo.
/// </summary>
public sealed class ForeignObject<TSpec>
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public V1ObjectMeta? Metadata { get; set; }

    public TSpec? Spec { get; set; }
}
