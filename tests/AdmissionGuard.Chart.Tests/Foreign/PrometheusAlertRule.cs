namespace AdmissionGuard.Chart.Tests.Foreign;

public sealed class PrometheusAlertRule
{
    public string? Alert { get; set; }

    public string? Expr { get; set; }

    public string? For { get; set; }

    public Dictionary<string, string>? Labels { get; set; }

    public Dictionary<string, string>? Annotations { get; set; }
}
