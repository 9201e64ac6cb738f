namespace AdmissionGuard.Policies;

/// <summary>A ClusterImagePolicy or a namespaced ImagePolicy: the same spec, told apart by <see cref="Kind"/>.</summary>
public sealed class ImagePolicy
{
    public const string ClusterKind = "ClusterImagePolicy";
    public const string NamespacedKind = "ImagePolicy";
    public string? ApiVersion { get; set; }
    public string? Kind { get; set; }
    public ObjectMeta? Metadata { get; set; }
    public ImagePolicySpec? Spec { get; set; }
    public ResourceStatus? Status { get; set; }
}
