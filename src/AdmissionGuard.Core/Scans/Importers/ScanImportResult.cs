namespace AdmissionGuard.Scans.Importers;

/// <summary>Either a scan (with warnings worth showing) or the reason there is none.</summary>
public sealed record ScanImportResult(ImageScan? Scan, string? Error, IReadOnlyList<string> Warnings)
{
    public static ScanImportResult Fail(string error) => new(null, error, []);
}
