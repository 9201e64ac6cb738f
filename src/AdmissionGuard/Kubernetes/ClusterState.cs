using AdmissionGuard.Hosting;

namespace AdmissionGuard.Kubernetes;

/// <summary>One rebuild: what admission reads, and the status each policy and source should show.</summary>
internal sealed record ClusterState(AdmissionState State, IReadOnlyList<StatusTarget> StatusTargets);
