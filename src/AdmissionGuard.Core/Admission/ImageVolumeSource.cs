namespace AdmissionGuard.Admission;

/// <summary><c>spec.volumes[].image</c> (Kubernetes 1.31+ image volumes).</summary>
public sealed class ImageVolumeSource
{
    public string? Reference { get; set; }
    public string? PullPolicy { get; set; }
}
