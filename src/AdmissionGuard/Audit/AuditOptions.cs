namespace AdmissionGuard.Audit;

internal sealed record AuditOptions
{
    /// <summary><c>--audit-interval</c>: a full pass at least this often.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>A policy, scan or namespace change starts a pass this long after the last change of a burst.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Pods per list page (<c>limit</c>): the most Pods held in memory at once.</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>Attempts per page after a dropped connection or a 5xx, and per report write after a 409.</summary>
    public int Retries { get; init; } = 3;

    /// <summary>Times a pass starts over when its continue token expired (410).</summary>
    public int Relists { get; init; } = 3;
}
