namespace AdmissionGuard.Kubernetes;

/// <summary>Lease timing; the defaults are client-go's (15 s lease, 10 s renew deadline, 2 s retry).</summary>
internal sealed record LeaderElectionOptions
{
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A leader that could not renew for this long steps down before the lease can expire for others.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);
}
