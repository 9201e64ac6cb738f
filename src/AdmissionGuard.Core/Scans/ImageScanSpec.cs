using System.Text.Json.Serialization;

namespace AdmissionGuard.Scans;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class ImageScanSpec
{
    public string? Image { get; set; }
    public string? Digest { get; set; }
    public ScannerInfo? Scanner { get; set; }
    public DateTimeOffset? ScannedAt { get; set; }
    public SeverityCounts? Vulnerabilities { get; set; }
    public FixableCounts? Fixable { get; set; }
    public OsInfo? Os { get; set; }
    public string? Grade { get; set; }
}
