using AdmissionGuard.Scans;

namespace AdmissionGuard.Adoption;

/// <summary>A non-hardened image that running containers use, ranked by <see cref="Score"/>.</summary>
/// <param name="Image">The normalized reference.</param>
/// <param name="Grade">Null when it has no scan.</param>
/// <param name="Twin">The hardened replacement the policies name; else the first mapping of a hardened-image source that yields one (not checked against a registry); null when none is known.</param>
/// <param name="Removes">Its scan's counts minus the twin's; null unless both are scanned.</param>
/// <param name="Score"><c>Containers</c> times the grade's weight (A 1 .. F 6; no scan 3).</param>
public sealed record ImageToFix(
    string Image,
    int Containers,
    IReadOnlyList<string> Namespaces,
    Grade? Grade,
    VulnerabilityCounts? Vulnerabilities,
    string? Twin,
    Grade? TwinGrade,
    VulnerabilityCounts? Removes,
    long Score);
