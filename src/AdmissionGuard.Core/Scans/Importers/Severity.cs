namespace AdmissionGuard.Scans.Importers;

/// <summary>The buckets of <see cref="SeverityCounts"/>, in rising order so that "highest" is a max.</summary>
internal enum Severity
{
    Unknown,
    Low,
    Medium,
    High,
    Critical,
}
