namespace AdmissionGuard.Kubernetes;

/// <summary>
/// Self-managed webhook certificates (<c>--tls-secret</c>): where they live, whom they serve, and when they
/// rotate. The defaults suit a cluster; tests shorten the lifetimes.
/// </summary>
internal sealed record SelfManagedCertificatesOptions
{
    public required string SecretName { get; init; }

    public required string Namespace { get; init; }

    public required string ServiceName { get; init; }

    public string? ValidatingWebhook { get; init; }

    public string? MutatingWebhook { get; init; }

    public TimeSpan CaValidity { get; init; } = TimeSpan.FromDays(730);

    public TimeSpan ServingValidity { get; init; } = TimeSpan.FromDays(90);

    /// <summary>A certificate is replaced once this fraction of its life has passed, leaving a third to retry in.</summary>
    public double RenewAtFraction { get; init; } = 2.0 / 3.0;

    /// <summary>
    /// How long a CA rotation step stays in place before the next: the API servers' webhook informers must see
    /// the new caBundle before a certificate from the new CA is served, and every replica must have loaded the
    /// new serving certificate before the old CA leaves the bundle.
    /// </summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The leader re-reads the Secret and both configurations this often, so a hand edit is repaired.</summary>
    public TimeSpan Resync { get; init; } = TimeSpan.FromMinutes(2);

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The names the API server calls the webhook by (the Service's in-cluster DNS names).</summary>
    public IReadOnlyList<string> DnsNames => [$"{ServiceName}.{Namespace}.svc", $"{ServiceName}.{Namespace}.svc.cluster.local"];
}
