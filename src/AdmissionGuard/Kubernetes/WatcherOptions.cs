namespace AdmissionGuard.Kubernetes;

/// <summary>Tuning of <see cref="ResourceWatcher{T}"/>; the defaults suit a real API server.</summary>
internal sealed record WatcherOptions
{
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Asked of the server, so a watch ends regularly even when nothing happens (client-go uses 5-10 minutes).</summary>
    public int WatchTimeoutSeconds { get; init; } = 300;

    /// <summary>Client-side guard against a connection that died without a reset: no line at all for this long ends the watch.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(360);

    /// <summary>A resource whose CRD is absent (404 on list) is looked for again this often.</summary>
    public TimeSpan AbsentRecheck { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>List page size; large ImageScan collections come in pages instead of one huge response.</summary>
    public int PageSize { get; init; } = 500;
}
