using AdmissionGuard.Policies;
using AdmissionGuard.Scans;

namespace AdmissionGuard.Hosting;

/// <summary>Everything the hot path reads, swapped as one immutable reference.</summary>
/// <param name="NamespacesComplete">
/// True in cluster mode: <see cref="NamespaceLabels"/> is the synced cache of every Namespace, so a namespace
/// missing from it is one whose labels cannot be known (created a moment ago, or the watch lags), and
/// policies that select by namespace labels must fail closed rather than guess.
/// </param>
internal sealed record AdmissionState(
    PolicySnapshot Snapshot,
    IScanFacts Scans,
    IReadOnlyDictionary<string, Dictionary<string, string>> NamespaceLabels,
    bool Loaded,
    bool NamespacesComplete = false)
{
    public static readonly AdmissionState NotLoaded = new(PolicySnapshot.Empty, ScanIndex.Empty, new Dictionary<string, Dictionary<string, string>>(), false);

    /// <summary>
    /// Labels of a namespace, or null when they cannot be known (the engine then fails closed). Without a
    /// cluster, a namespace not described by a Namespace object has only the name label the API server sets.
    /// </summary>
    public IReadOnlyDictionary<string, string>? LabelsOf(string ns) =>
        NamespaceLabels.TryGetValue(ns, out var labels) ? labels
        : NamespacesComplete ? null
        : Evaluation.NamespaceLabels.NameOnly(ns);
}
