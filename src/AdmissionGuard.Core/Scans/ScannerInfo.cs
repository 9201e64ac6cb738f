namespace AdmissionGuard.Scans;

public sealed class ScannerInfo
{
    public string? Name { get; set; }
    public string? Version { get; set; }
}
