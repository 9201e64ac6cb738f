namespace AdmissionGuard.Hosting;

/// <summary>How a failed background loop is restarted: exponential backoff with jitter between these bounds.</summary>
internal sealed record SupervisionOptions
{
    public static readonly SupervisionOptions Default = new();

    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);
}
