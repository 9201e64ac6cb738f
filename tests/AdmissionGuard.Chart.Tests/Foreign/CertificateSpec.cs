namespace AdmissionGuard.Chart.Tests.Foreign;

/// <summary>cert-manager.io/v1 Certificate spec, the fields the chart sets.</summary>
public sealed class CertificateSpec
{
    public string? SecretName { get; set; }

    public string? Duration { get; set; }

    public string? RenewBefore { get; set; }

    public CertificatePrivateKey? PrivateKey { get; set; }

    public List<string>? DnsNames { get; set; }

    public IssuerReference? IssuerRef { get; set; }
}
