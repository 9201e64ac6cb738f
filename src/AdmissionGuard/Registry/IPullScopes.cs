using AdmissionGuard.Admission;

namespace AdmissionGuard.Registry;

/// <summary>Which registry credentials a workload pulls with, from caches filled in the background.</summary>
internal interface IPullScopes
{
    /// <summary>The scope of a pod spec in <paramref name="ns"/>; never does I/O, never throws.</summary>
    /// <param name="isPod">A Pod (its service account's secrets are already merged in by the API server) or a pod template (they are not yet).</param>
    PullScope For(string ns, WorkloadSpec? spec, bool isPod);
}
