namespace AdmissionGuard.Chart.Tests.Foreign;

/// <summary>cert-manager.io/v1 Issuer spec; the chart only makes self-signed ones.</summary>
public sealed class IssuerSpec
{
    public Dictionary<string, object>? SelfSigned { get; set; }
}
