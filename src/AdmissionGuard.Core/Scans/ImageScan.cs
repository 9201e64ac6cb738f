using AdmissionGuard.Policies;

namespace AdmissionGuard.Scans;

/// <summary>A cached scan result for one image digest (cluster-scoped, short name <c>iscan</c>).</summary>
public sealed class ImageScan
{
    public const string KindName = "ImageScan";
    public string? ApiVersion { get; set; }
    public string? Kind { get; set; }
    public ObjectMeta? Metadata { get; set; }
    public ImageScanSpec? Spec { get; set; }
}
