namespace AdmissionGuard.Scans.Importers;

/// <summary>What an importer read from a report, before the image and digest are settled.</summary>
internal sealed class ScanReportFacts
{
    public required string ScannerName { get; init; }

    public string? ScannerVersion { get; set; }

    public DateTimeOffset? ScannedAt { get; set; }

    /// <summary>Names the report gives the image (tags first), as written; normalized later.</summary>
    public List<string> ImageNames { get; } = [];

    /// <summary><c>repo@sha256:...</c> or a bare <c>sha256:...</c>; never an image ID, which is a config digest.</summary>
    public List<string> RepoDigests { get; } = [];

    public FindingTally Findings { get; } = new();

    /// <summary>Counts to use instead of the tally, per severity, when larger (trivy-operator's summary).</summary>
    public SeverityCounts? Summary { get; set; }

    public OsInfo? Os { get; set; }

    public List<string> Warnings { get; } = [];
}
