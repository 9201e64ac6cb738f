namespace AdmissionGuard.Audit;

/// <summary>What one audit pass did; <see cref="Error"/> says why it stopped early, in words a person can act on.</summary>
internal sealed record AuditOutcome(int PodsSeen, int PodsJudged, int Namespaces, int ReportsWritten, int ReportsDeleted, string? Error)
{
    public bool Complete => Error is null;
}
