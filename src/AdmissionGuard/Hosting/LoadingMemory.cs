namespace AdmissionGuard.Hosting;

/// <summary>
/// Reading a large scans folder leaves garbage that an idle server keeps committed: nothing else triggers a collection
/// until requests come. One compacting, decommitting collection hands it back to the system.
/// </summary>
internal static class LoadingMemory
{
    public static void Return() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
}
