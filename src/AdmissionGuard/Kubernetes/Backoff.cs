namespace AdmissionGuard.Kubernetes;

/// <summary>
/// Exponential backoff with full jitter: many replicas reconnecting after an API server restart spread
/// out instead of arriving together.
/// </summary>
internal static class Backoff
{
    public static TimeSpan Delay(int failures, TimeSpan initial, TimeSpan max)
    {
        var exponent = Math.Min(Math.Max(failures - 1, 0), 20);
        var ceiling = Math.Min(initial.TotalMilliseconds * Math.Pow(2, exponent), max.TotalMilliseconds);

        // Never below half the ceiling, so a retry storm cannot come from an unlucky zero.
#pragma warning disable CA5394 // jitter, not security
        return TimeSpan.FromMilliseconds((ceiling / 2) + (Random.Shared.NextDouble() * ceiling / 2));
#pragma warning restore CA5394
    }
}
