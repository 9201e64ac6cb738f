namespace AdmissionGuard.Reports;

/// <summary>Where a report's data came from, printed in its header.</summary>
/// <param name="Source"><c>manifests</c> or <c>cluster</c>.</param>
/// <param name="From">The manifest paths, or the API server's address.</param>
/// <param name="PolicyErrors">Policy objects the cluster holds that do not compile (they are not enforced there either).</param>
internal sealed record ReportContext(string Source, IReadOnlyList<string> From, int Policies, int Scans, IReadOnlyList<string> PolicyErrors);
