namespace AdmissionGuard.Webhooks;

internal sealed record WebhookOptions
{
    /// <summary>Bodies above this are refused with 413 (the API server's own limit is 3 MiB).</summary>
    public int MaxBodyBytes { get; init; } = 3 * 1024 * 1024;

    /// <summary>Any request is answered (deny on timeout) within this; keep it below the webhook's timeoutSeconds.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long admission may wait for a registry answer on a cache miss (0 = never wait).</summary>
    public TimeSpan RegistryBudget { get; init; } = TimeSpan.FromMilliseconds(300);
}
