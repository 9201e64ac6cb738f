namespace AdmissionGuard.Admission;

/// <summary>admission.k8s.io/v1 AdmissionReview (KubernetesClient has no such type).</summary>
public sealed class AdmissionReview
{
    public const string V1 = "admission.k8s.io/v1";
    public const string KindName = "AdmissionReview";
    public string? ApiVersion { get; set; }
    public string? Kind { get; set; }
    public AdmissionRequest? Request { get; set; }
    public AdmissionResponse? Response { get; set; }
}
