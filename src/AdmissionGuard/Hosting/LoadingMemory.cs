namespace AdmissionGuard.Hosting;

/// <summary>
/// Starting (configuration, services, the policy and scan files read) and reloading a large scans folder leave garbage
/// that an idle server keeps committed: nothing else triggers a collection until requests come. One compacting,
/// decommitting collection hands it back to the system; its pause is milliseconds for a heap of this size.
/// </summary>
internal static class LoadingMemory
{
    public static void Return() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
}
