using System.Text.Json.Serialization;
using AdmissionGuard.Admission;

namespace AdmissionGuard.Audit;

/// <summary>One page of <c>GET /api/v1/pods?limit=N</c>: only what the audit reads, so a page costs little memory.</summary>
internal sealed class PodPage
{
    public PageMeta? Metadata { get; set; }

    public List<AuditedPod>? Items { get; set; }
}

internal sealed class PageMeta
{
    [JsonPropertyName("continue")]
    public string? Continue { get; set; }

    public string? ResourceVersion { get; set; }
}

internal sealed class AuditedPod
{
    public PodMeta? Metadata { get; set; }

    public WorkloadSpec? Spec { get; set; }

    public PodStatus? Status { get; set; }
}

internal sealed class PodMeta
{
    public string? Name { get; set; }

    public string? Namespace { get; set; }

    public string? Uid { get; set; }

    public Dictionary<string, string>? Labels { get; set; }
}

internal sealed class PodStatus
{
    public string? Phase { get; set; }
}
