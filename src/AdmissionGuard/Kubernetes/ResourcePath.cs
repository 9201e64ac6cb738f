namespace AdmissionGuard.Kubernetes;

/// <summary>A resource collection: <c>/apis/{group}/{version}/{plural}</c>, or <c>/api/v1/{plural}</c> for the core group.</summary>
/// <param name="Namespaced">Whether objects live in a namespace; collections are still listed across all namespaces.</param>
internal sealed record ResourcePath(string Group, string Version, string Plural, string Kind, bool Namespaced)
{
    public static readonly ResourcePath HardenedImageSources = new("admissionguard.io", "v1alpha1", "hardenedimagesources", "HardenedImageSource", false);
    public static readonly ResourcePath ClusterImagePolicies = new("admissionguard.io", "v1alpha1", "clusterimagepolicies", "ClusterImagePolicy", false);
    public static readonly ResourcePath ImagePolicies = new("admissionguard.io", "v1alpha1", "imagepolicies", "ImagePolicy", true);
    public static readonly ResourcePath ImageScans = new("admissionguard.io", "v1alpha1", "imagescans", "ImageScan", false);
    public static readonly ResourcePath Leases = new("coordination.k8s.io", "v1", "leases", "Lease", true);
    public static readonly ResourcePath Secrets = new("", "v1", "secrets", "Secret", true);
    public static readonly ResourcePath ServiceAccounts = new("", "v1", "serviceaccounts", "ServiceAccount", true);
    public static readonly ResourcePath ValidatingWebhookConfigurations = new("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", false);
    public static readonly ResourcePath MutatingWebhookConfigurations = new("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", false);
    public static readonly ResourcePath Pods = new("", "v1", "pods", "Pod", true);
    public static readonly ResourcePath Namespaces = new("", "v1", "namespaces", "Namespace", false);
    public static readonly ResourcePath VulnerabilityReports = new("aquasecurity.github.io", "v1alpha1", "vulnerabilityreports", "VulnerabilityReport", true);
    public static readonly ResourcePath ClusterVulnerabilityReports = new("aquasecurity.github.io", "v1alpha1", "clustervulnerabilityreports", "ClusterVulnerabilityReport", false);

    private string Prefix => Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";

    /// <summary>The collection across all namespaces (what list and watch use).</summary>
    public string Collection => $"{Prefix}/{Plural}";

    /// <summary>The collection within one namespace, for callers whose RBAC is a namespaced Role.</summary>
    public string NamespacedCollection(string ns) => Namespaced ? $"{Prefix}/namespaces/{Uri.EscapeDataString(ns)}/{Plural}" : Collection;

    public string Item(string? ns, string name) => Namespaced
        ? $"{Prefix}/namespaces/{Uri.EscapeDataString(ns ?? "")}/{Plural}/{Uri.EscapeDataString(name)}"
        : $"{Prefix}/{Plural}/{Uri.EscapeDataString(name)}";

    public override string ToString() => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
}
