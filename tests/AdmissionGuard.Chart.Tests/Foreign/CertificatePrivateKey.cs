namespace AdmissionGuard.Chart.Tests.Foreign;

public sealed class CertificatePrivateKey
{
    public string? Algorithm { get; set; }

    public int? Size { get; set; }

    public string? RotationPolicy { get; set; }
}
