using AdmissionGuard.Policies;
using AdmissionGuard.Scans;

namespace AdmissionGuard.Hosting;

/// <summary>Everything the hot path reads, swapped as one immutable reference.</summary>
internal sealed record AdmissionState(
    PolicySnapshot Snapshot,
    IScanFacts Scans,
    IReadOnlyDictionary<string, Dictionary<string, string>> NamespaceLabels,
    bool Loaded)
{
    public static readonly AdmissionState NotLoaded = new(PolicySnapshot.Empty, ScanIndex.Empty, new Dictionary<string, Dictionary<string, string>>(), false);

    /// <summary>
    /// Labels of a namespace. Without a cluster, a namespace not described by a Namespace object has
    /// only the name label the API server sets.
    /// </summary>
    public IReadOnlyDictionary<string, string> LabelsOf(string ns) =>
        NamespaceLabels.TryGetValue(ns, out var labels) ? labels : new Dictionary<string, string> { [Evaluation.PolicyEngine.MetadataNameLabel] = ns };
}
