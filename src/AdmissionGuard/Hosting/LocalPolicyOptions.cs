namespace AdmissionGuard.Hosting;

/// <summary>Local mode's folders (<c>--policies</c>, <c>--scans</c>) and the grade scale their scans are graded with.</summary>
internal sealed record LocalPolicyOptions(string PoliciesDir, string? ScansDir, Scans.GradeScale Scale)
{
    /// <summary>How often the folders are checked for changes.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}
