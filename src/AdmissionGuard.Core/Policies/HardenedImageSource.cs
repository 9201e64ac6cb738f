namespace AdmissionGuard.Policies;

/// <summary>Where hardened images live and how to find an upstream image's hardened twin.</summary>
public sealed class HardenedImageSource
{
    public const string KindName = "HardenedImageSource";
    public string? ApiVersion { get; set; }
    public string? Kind { get; set; }
    public ObjectMeta? Metadata { get; set; }
    public HardenedImageSourceSpec? Spec { get; set; }
    public ResourceStatus? Status { get; set; }
}
