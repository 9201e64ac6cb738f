namespace AdmissionGuard.Scans.Importers;

/// <summary>
/// Counts findings once each: scanners report the same vulnerability in the same package version twice
/// (Grype matches by several matchers, Trivy once per result), and a double count would lower grades.
/// </summary>
internal sealed class FindingTally
{
    private readonly HashSet<(string Id, string Package, string Version)> _seen = [];

    public SeverityCounts Counts { get; } = new();

    public FixableCounts Fixable { get; } = new();

    public int Duplicates { get; private set; }

    public void Add(string? id, string? package, string? version, Severity severity, bool fixable)
    {
        if (!_seen.Add((id ?? "", package ?? "", version ?? "")))
        {
            Duplicates++;
            return;
        }

        switch (severity)
        {
            case Severity.Critical:
                Counts.Critical++;
                Fixable.Critical += fixable ? 1 : 0;
                break;
            case Severity.High:
                Counts.High++;
                Fixable.High += fixable ? 1 : 0;
                break;
            case Severity.Medium:
                Counts.Medium++;
                break;
            case Severity.Low:
                Counts.Low++;
                break;
            default:
                Counts.Unknown++;
                break;
        }
    }
}
