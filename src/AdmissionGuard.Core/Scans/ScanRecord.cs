namespace AdmissionGuard.Scans;

/// <summary>
/// What admission needs to know of one scan, compact because a cluster may cache a million of them.
/// </summary>
public sealed record ScanRecord(
    string Image,
    string Digest,
    DateTimeOffset ScannedAt,
    Grade Grade,
    int Critical,
    int High,
    int FixableCritical,
    int FixableHigh)
{
    /// <summary>Medium findings; admission never reads them, the adoption report does.</summary>
    public int Medium { get; init; }

    public int Low { get; init; }

    public int Unknown { get; init; }
}
