using System.Text.Json.Serialization;

namespace AdmissionGuard.Audit;

/// <summary>
/// <c>wgpolicyk8s.io/v1alpha2</c> PolicyReport, as defined by the Kubernetes Policy WG
/// (kubernetes-sigs/wg-policy-prototypes, policy-report/apis/wgpolicyk8s.io/v1alpha2/policyreport_types.go).
/// </summary>
internal sealed class PolicyReport
{
    public const string ApiVersionValue = "wgpolicyk8s.io/v1alpha2";
    public const string KindValue = "PolicyReport";
    public const string Name = "admissionguard";
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedBy = "admissionguard";

    public string ApiVersion { get; set; } = ApiVersionValue;

    public string Kind { get; set; } = KindValue;

    public ReportMeta Metadata { get; set; } = new();

    public ReportSummary Summary { get; set; } = new();

    public List<ReportResult> Results { get; set; } = [];
}

internal sealed class ReportMeta
{
    public string Name { get; set; } = PolicyReport.Name;

    public string? Namespace { get; set; }

    public Dictionary<string, string> Labels { get; set; } = new() { [PolicyReport.ManagedByLabel] = PolicyReport.ManagedBy };

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ResourceVersion { get; set; }
}

internal sealed class ReportSummary
{
    public int Pass { get; set; }

    public int Fail { get; set; }

    public int Warn { get; set; }

    public int Error { get; set; }

    public int Skip { get; set; }
}

internal sealed class ReportResult
{
    public string Source { get; set; } = PolicyReport.ManagedBy;

    public required string Policy { get; set; }

    public required string Rule { get; set; }

    public required string Result { get; set; }

    public required string Severity { get; set; }

    public bool Scored { get; set; } = true;

    public required ReportTimestamp Timestamp { get; set; }

    public required string Message { get; set; }

    public required List<ReportResource> Resources { get; set; }

    public required Dictionary<string, string> Properties { get; set; }
}

internal sealed class ReportResource
{
    public string ApiVersion { get; set; } = "v1";

    public string Kind { get; set; } = "Pod";

    public required string Name { get; set; }

    public required string Namespace { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Uid { get; set; }
}

internal sealed class ReportTimestamp
{
    public long Seconds { get; set; }

    public int Nanos { get; set; }
}
