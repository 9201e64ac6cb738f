namespace AdmissionGuard.Admission;

public sealed class VolumeSpec
{
    public string? Name { get; set; }
    public ImageVolumeSource? Image { get; set; }
}
