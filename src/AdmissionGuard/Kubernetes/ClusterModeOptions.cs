using System.CommandLine;
using AdmissionGuard.Commands;

namespace AdmissionGuard.Kubernetes;

/// <summary>The in-cluster flags of <c>serve</c> (what the Helm chart passes), parsed and checked once.</summary>
internal sealed record ClusterModeOptions
{
    /// <summary>A kubeconfig file to reach the API server with; without it, the in-cluster service account (else <c>$KUBECONFIG</c>, <c>~/.kube/config</c>).</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>Namespace of the Lease (and Secret, Service).</summary>
    public string Namespace { get; init; } = "default";

    public string? ServiceName { get; init; }

    /// <summary>Lease that elects the one replica writing status; without it this replica assumes it is alone.</summary>
    public string? LeaseName { get; init; }

    public string? TlsSecret { get; init; }

    public string? ValidatingWebhook { get; init; }

    public string? MutatingWebhook { get; init; }

    /// <summary>Lifetimes and grace periods of self-managed certificates (<c>--tls-secret</c>); names come from the flags.</summary>
    public SelfManagedCertificatesOptions? Certificates { get; init; }

    /// <summary>The self-managed certificate settings when <c>--tls-secret</c> is given, else null.</summary>
    public SelfManagedCertificatesOptions? SelfManagedCertificates => TlsSecret is null
        ? null
        : (Certificates ?? new SelfManagedCertificatesOptions { SecretName = "", Namespace = "", ServiceName = "" }) with
        {
            SecretName = TlsSecret,
            Namespace = Namespace,
            ServiceName = ServiceName ?? throw new InvalidOperationException("--tls-secret needs --service-name"),
            ValidatingWebhook = ValidatingWebhook,
            MutatingWebhook = MutatingWebhook,
        };

    /// <summary>Also read trivy-operator VulnerabilityReports / ClusterVulnerabilityReports (disabled with one log line when absent).</summary>
    public bool TrivyOperatorReports { get; init; }

    /// <summary>
    /// Verify twins with the credentials each workload pulls with: its dockerconfigjson pull secrets, or its service
    /// account's. Needs list and watch on Secrets and ServiceAccounts in every namespace, so it is opt-in.
    /// </summary>
    public bool WorkloadPullSecrets { get; init; }

    /// <summary>Holder identity in the Lease: the pod name when the downward API gives it.</summary>
    public string Identity { get; init; } = DefaultIdentity();

    /// <summary>Changes arriving within this window are compiled together.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(100);

    public WatcherOptions Watch { get; init; } = new();

    public LeaderElectionOptions Election { get; init; } = new();

    /// <summary>
    /// Cluster mode is what <c>serve</c> does without <c>--policies</c>. Returns null without an error when
    /// <c>--policies</c> selects local mode, null with an error when the flags cannot work together.
    /// </summary>
    /// <summary>The cluster-wide grade scale (<c>--grade-scale FILE</c>).</summary>
    public Scans.GradeScale Scale { get; init; } = Scans.GradeScale.Default;

    public static ClusterModeOptions? TryParse(ParseResult line, out string? error)
    {
        ArgumentNullException.ThrowIfNull(line);
        error = null;
        if (line.Has("--policies"))
        {
            return null;
        }

        if (line.Value("--tls-secret") is not null && line.Has("--tls-cert"))
        {
            error = "--tls-secret (self-managed certificates) and --tls-cert/--tls-key (certificate files) exclude each other";
            return null;
        }

        if (line.Value("--tls-secret") is not null && line.Value("--service-name") is null)
        {
            // The certificate's names are the Service's DNS names; without them the API server cannot verify it.
            error = "--tls-secret needs --service-name (the Service the webhooks call)";
            return null;
        }

        if ((line.Has("--validating-webhook") || line.Has("--mutating-webhook")) && !line.Has("--tls-secret"))
        {
            error = "--validating-webhook and --mutating-webhook only go with --tls-secret";
            return null;
        }

        var ns = line.Value("--namespace") ?? Environment.GetEnvironmentVariable("POD_NAMESPACE") ?? ServiceAccountNamespace() ?? "default";
        return new ClusterModeOptions
        {
            Namespace = ns,
            ServiceName = line.Value("--service-name"),
            LeaseName = line.Value("--leader-election-lease"),
            TlsSecret = line.Value("--tls-secret"),
            ValidatingWebhook = line.Value("--validating-webhook"),
            MutatingWebhook = line.Value("--mutating-webhook"),
            TrivyOperatorReports = line.Has("--trivy-operator-reports"),
            Kubeconfig = line.Value("--kubeconfig"),
            WorkloadPullSecrets = line.Has("--workload-pull-secrets"),
        };
    }

    private static string DefaultIdentity() =>
        Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod ? pod : $"{Environment.MachineName}-{Guid.NewGuid().ToString("N")[..8]}";

    private static string? ServiceAccountNamespace()
    {
        const string path = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
        return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
    }
}
