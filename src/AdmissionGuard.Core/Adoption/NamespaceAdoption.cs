namespace AdmissionGuard.Adoption;

/// <summary>The adoption figures of one namespace; what the <c>admissionguard_workload_*</c> gauges publish.</summary>
/// <param name="Containers">Every container (and image volume) counted: <c>Hardened + NotHardened + Unparseable</c>.</param>
/// <param name="Hardened">Running a hardened image, including those a rewrite at admission will move to their twin.</param>
/// <param name="NotHardened">Running an image that parses and that no hardened-image source calls hardened.</param>
/// <param name="Unparseable">An image string that is not a valid reference (never hardened).</param>
/// <param name="Rewritten">Of <paramref name="Hardened"/>, those hardened only by a rewrite at admission (manifests only).</param>
/// <param name="Vulnerabilities">Summed over containers, from the scans of the images they run.</param>
/// <param name="Avoidable">What the non-hardened containers carry beyond their twins' scans (where both are scanned).</param>
public sealed record NamespaceAdoption(
    string Name,
    int Containers,
    int Hardened,
    int NotHardened,
    int Unparseable,
    int Rewritten,
    GradeCounts Grades,
    VulnerabilityCounts Vulnerabilities,
    VulnerabilityCounts Avoidable)
{
    /// <summary><c>Hardened / Containers</c>, 0 for a namespace without containers.</summary>
    public double HardenedShare => Containers == 0 ? 0 : (double)Hardened / Containers;
}
